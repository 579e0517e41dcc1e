"""Names, image references and IAM help: property-based where a rule can be stated,
example-based for AWS's real formats and messages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ecr_tui.core.iam import (
    AUTHORIZATION_TOKEN_ACTION,
    BROWSE_ACTIONS,
    PULL_ACTIONS,
    PUSH_ACTIONS,
    parse_access_denied,
    policy_for,
    policy_json,
)
from ecr_tui.core.names import (
    DIGEST_PATTERN,
    IMAGE_TAG_PATTERN,
    REPOSITORY_NAME_PATTERN,
    digest_problem,
    docker_tag_problem,
    image_tag_problem,
    kms_key_problem,
    repository_name_problem,
    resource_tag_key_problem,
    resource_tag_value_problem,
)
from ecr_tui.core.uris import (
    CHINA_REGIONS,
    KNOWN_REGIONS,
    ImageReference,
    ImageReferenceError,
    docker_pull_command,
    image_uri,
    parse_image_reference,
    registry_host,
)

# Enough examples to find mismatches in these small grammars, few enough to stay fast.
FAST = settings(max_examples=150, deadline=None)
# Whole URIs cost more to draw; their grammar pieces are covered by the tests above.
FAST_URIS = settings(max_examples=80, deadline=None)

ACCOUNT = "123456789012"
REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/payments/api"
DIGEST = "sha256:" + "0123456789abcdef" * 4

# --- strategies -------------------------------------------------------------------------

LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"

alnum_runs = st.text(LOWER_ALNUM, min_size=1, max_size=8)
separators = st.sampled_from([".", "_", "__", "-", "--", "---"])


@st.composite
def name_components(draw: st.DrawFn) -> str:
    """One path component: alphanumeric runs joined by valid separators."""
    parts = [draw(alnum_runs)]
    for _ in range(draw(st.integers(0, 3))):
        parts += [draw(separators), draw(alnum_runs)]
    return "".join(parts)


repository_names = (
    st.lists(name_components(), min_size=1, max_size=4).map("/".join).filter(lambda n: len(n) > 1)
)
tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,40}", fullmatch=True)
digests = st.text(HEX, min_size=64, max_size=64).map(lambda h: f"sha256:{h}")
account_ids = st.from_regex(r"[0-9]{12}", fullmatch=True)
regions = st.sampled_from(KNOWN_REGIONS)


@dataclass(frozen=True)
class UriParts:
    """The pieces of an ECR URI, so a test can break exactly one of them."""

    account: str
    endpoint: str
    region: str
    domain: str
    repository: str
    tag: str | None
    digest: str | None

    def text(self) -> str:
        uri = f"{self.account}.{self.endpoint}.{self.region}.{self.domain}/{self.repository}"
        if self.tag is not None:
            uri += f":{self.tag}"
        if self.digest is not None:
            uri += f"@{self.digest}"
        return uri


@st.composite
def uri_parts(draw: st.DrawFn) -> UriParts:
    """A valid ECR URI in any of its host forms."""
    region = draw(regions)
    china = region in CHINA_REGIONS
    form = draw(st.sampled_from(["standard", "dual"] if china else ["standard", "fips", "dual"]))
    endpoint, domain = {
        "standard": ("dkr.ecr", "amazonaws.com.cn" if china else "amazonaws.com"),
        "fips": ("dkr.ecr-fips", "amazonaws.com"),
        "dual": ("dkr-ecr", "on.aws"),
    }[form]
    return UriParts(
        account=draw(account_ids),
        endpoint=endpoint,
        region=region,
        domain=domain,
        repository=draw(repository_names),
        tag=draw(st.none() | tags),
        digest=draw(st.none() | digests),
    )


def _expected(parts: UriParts) -> ImageReference:
    return ImageReference(
        registry=f"{parts.account}.{parts.endpoint}.{parts.region}.{parts.domain}",
        account_id=parts.account,
        region=parts.region,
        repository=parts.repository,
        tag=parts.tag,
        digest=parts.digest,
    )


def _error(text: str) -> ImageReferenceError:
    with pytest.raises(ImageReferenceError) as caught:
        parse_image_reference(text)
    return caught.value


# --- names: the validators agree with the documented patterns ----------------------------


@FAST
@given(st.text(alphabet="ab9.-_/A @", max_size=12))
def test_repository_name_validator_matches_the_pattern(name: str) -> None:
    valid = re.fullmatch(REPOSITORY_NAME_PATTERN, name) is not None and 2 <= len(name) <= 256
    assert (repository_name_problem(name) is None) == valid


@FAST
@given(repository_names)
def test_generated_repository_names_are_valid(name: str) -> None:
    assert repository_name_problem(name) is None


@FAST
@given(st.text(alphabet="aZ9_.-+ :/", max_size=10))
def test_tag_validator_matches_the_pattern(tag: str) -> None:
    assert (image_tag_problem(tag) is None) == (re.fullmatch(IMAGE_TAG_PATTERN, tag) is not None)


@FAST
@given(st.text(alphabet=HEX + "AG", min_size=62, max_size=66), st.sampled_from(["sha256:", ""]))
def test_digest_validator_matches_the_pattern(hex_digits: str, prefix: str) -> None:
    digest = prefix + hex_digits
    assert (digest_problem(digest) is None) == (re.fullmatch(DIGEST_PATTERN, digest) is not None)


@FAST
@given(st.text(max_size=40))
def test_validators_never_raise(text: str) -> None:
    for validator in (
        repository_name_problem,
        image_tag_problem,
        digest_problem,
        kms_key_problem,
        resource_tag_key_problem,
        resource_tag_value_problem,
    ):
        problem = validator(text)
        assert problem is None or isinstance(problem, str)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "a repository name is required"),
        ("a", "too short: 1 character, at least 2"),
        ("a" * 300, "too long: 300 characters, at most 256"),
        ("My/Repo", "uppercase letters are not allowed: use 'my/repo'"),
        ("My/-Repo", "uppercase letters are not allowed"),
        ("my repo", "spaces are not allowed"),
        ("team@app", "'@' is not allowed: use lowercase letters, digits, '.', '_', '-' and '/'"),
        ("/team/app", "must not start with '/'"),
        ("team/app/", "must not end with '/'"),
        ("team//app", "has an empty path component ('//')"),
        ("team/-bad", "component 2 ('-bad') must start with a letter or digit"),
        ("bad-/app", "component 1 ('bad-') must end with a letter or digit"),
        ("-bad", "the name must start with a letter or digit"),
        (
            "a..b",
            "the name has '..': between letters and digits use one '.', one or two '_', or '-'",
        ),
        ("a___b", "the name has '___'"),
        ("a.-b", "the name has '.-'"),
    ],
)
def test_repository_name_messages(name: str, message: str) -> None:
    problem = repository_name_problem(name)
    assert problem is not None
    assert problem.startswith(message)


@pytest.mark.parametrize("name", ["ab", "a__b", "a--b", "team/app", "a.b_c-d/e", "a" * 256])
def test_repository_names_ecr_accepts(name: str) -> None:
    assert repository_name_problem(name) is None


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("", "a tag is required"),
        ("v" * 301, "too long: 301 characters, at most 300"),
        ("1.0 beta", "spaces are not allowed"),
        ("1.0+build", "'+' is not allowed"),
        ("-rc", "must start with a letter, digit or '_', not '-'"),
        (".hidden", "must start with a letter, digit or '_'"),
    ],
)
def test_tag_messages(tag: str, message: str) -> None:
    problem = image_tag_problem(tag)
    assert problem is not None
    assert problem.startswith(message)


@pytest.mark.parametrize("tag", ["latest", "_x", "1.0.0-rc.1", "A_b-C.d", "v" * 300])
def test_tags_ecr_accepts(tag: str) -> None:
    assert image_tag_problem(tag) is None


def test_tags_docker_cannot_use_are_named() -> None:
    assert docker_tag_problem("v" * 128) is None
    assert image_tag_problem("v" * 129) is None, "ECR takes it"
    problem = docker_tag_problem("v" * 129)
    assert problem is not None and problem.startswith("129 characters:")
    assert "over 128" in problem


@pytest.mark.parametrize(
    ("digest", "message"),
    [
        ("", "a digest is required"),
        ("a" * 64, "add the 'sha256:' prefix"),
        ("SHA256:" + "a" * 64, "write the algorithm in lowercase"),
        ("sha512:" + "a" * 128, "only sha256 digests are used by ECR, not 'sha512'"),
        ("sha256:" + "A" * 64, "hex digits must be lowercase"),
        ("sha256:" + "g" * 64, "'g' is not hex digits"),
        ("sha256:abc", "has 3 hex digits after 'sha256:', needs 64"),
    ],
)
def test_digest_messages(digest: str, message: str) -> None:
    problem = digest_problem(digest)
    assert problem is not None
    assert problem.startswith(message)


def test_resource_tag_rules() -> None:
    assert resource_tag_key_problem("team") is None
    assert resource_tag_key_problem("cost center: été") is None
    assert resource_tag_key_problem("") == "a tag key is required"
    assert resource_tag_key_problem("aws:owner") == "keys starting with 'aws:' are reserved for AWS"
    assert resource_tag_key_problem("k" * 129) == "too long: 129 characters, at most 128"
    assert (resource_tag_key_problem("a*b") or "").startswith("'*' is not allowed in tag keys")
    assert resource_tag_value_problem("") is None
    assert resource_tag_value_problem("v" * 257) == "too long: 257 characters, at most 256"


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "alias/ecr-images",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-cn:kms:cn-north-1:123456789012:alias/ecr",
    ],
)
def test_kms_keys_ecr_accepts(key: str) -> None:
    assert kms_key_problem(key) is None


def test_kms_key_messages() -> None:
    assert kms_key_problem("") == "a KMS key is required"
    assert kms_key_problem("arn:aws:s3:::bucket") == (
        "not a KMS ARN: expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID"
    )
    assert kms_key_problem("arn:aws:kms:us-east-1:1234:key/x") == (
        "the ARN's account ID '1234' must be 12 digits"
    )
    assert (kms_key_problem("alias/bad alias") or "").startswith("alias names use")
    assert (kms_key_problem("my-key") or "").startswith("expected a key ID")


# --- image references: round trips and one broken part at a time --------------------------


@FAST_URIS
@given(uri_parts(), st.booleans(), st.booleans())
def test_valid_uris_round_trip(parts: UriParts, https: bool, shout: bool) -> None:
    expected = _expected(parts)
    text = parts.text()
    if shout:  # hosts are case-insensitive, as pasted from some tools
        host, _, rest = text.partition("/")
        text = f"{host.upper()}/{rest}"
    if https:
        text = "https://" + text
    parsed = parse_image_reference(text)
    assert parsed == expected
    assert parsed.image_uri == parts.text()
    assert parse_image_reference(parsed.image_uri) == parsed


@FAST_URIS
@given(uri_parts())
def test_registry_host_builds_what_the_parser_reads(parts: UriParts) -> None:
    host = registry_host(
        parts.account,
        parts.region,
        fips="fips" in parts.endpoint,
        dual_stack=parts.domain == "on.aws",
    )
    assert host == _expected(parts).registry


@st.composite
def broken_uris(draw: st.DrawFn) -> tuple[str, str, str]:
    """A URI with exactly one part made invalid: (text, part, word the message must use)."""
    parts = draw(uri_parts())
    part = draw(st.sampled_from(["account", "region", "repository", "tag", "digest", "domain"]))
    if part == "account":
        bad = draw(
            st.from_regex(r"[0-9]{1,11}|[0-9]{13,15}", fullmatch=True)
            | st.from_regex(r"[0-9]{11}[a-z]", fullmatch=True)
        )
        return replace(parts, account=bad).text(), part, "account ID"
    if part == "region":
        index = draw(st.integers(0, len(parts.region) - 1))
        bad = parts.region[:index] + parts.region[index + 1 :]
        assume(bad not in KNOWN_REGIONS)
        return replace(parts, region=bad).text(), part, "region"
    if part == "repository":
        bad = draw(
            st.sampled_from(
                [
                    parts.repository.upper(),
                    "-" + parts.repository,
                    parts.repository + "//x",
                    parts.repository + "..x",
                    "x" * 257,
                ]
            )
        )
        assume(bad != parts.repository)
        return replace(parts, repository=bad).text(), part, "repository"
    if part == "tag":
        bad = draw(st.sampled_from(["-rc", ".x", "1.0+b", "a!", "t" * 301, ""]))
        return replace(parts, tag=bad).text(), part, "tag"
    if part == "digest":
        bad = draw(
            st.sampled_from(
                ["sha256:" + "a" * 63, "sha256:" + "A" * 64, "md5:" + "a" * 32, "a" * 64, ""]
            )
        )
        return replace(parts, digest=bad).text(), part, "digest"
    if parts.domain == "on.aws":
        changed = {"domain": draw(st.sampled_from(["on.aws.com", "aws", "amazonaws.com"]))}
    else:
        changed = draw(
            st.sampled_from(
                [
                    {"domain": parts.domain[:-1]},  # amazonaws.co, amazonaws.com.c
                    {"domain": "amazonaws.org"},
                    {"endpoint": "ecr"},
                    {"endpoint": "dkr.ecs"},
                ]
            )
        )
    return replace(parts, **changed).text(), "registry", "domain"


@FAST_URIS
@given(broken_uris())
def test_a_broken_part_is_named(case: tuple[str, str, str]) -> None:
    text, part, word = case
    error = _error(text)
    assert error.part == part
    assert word in str(error)


@FAST
@given(st.text(max_size=80))
def test_parser_only_raises_its_own_error(text: str) -> None:
    try:
        reference = parse_image_reference(text)
    except ImageReferenceError as error:
        assert str(error)
    else:
        assert repository_name_problem(reference.repository) is None


@pytest.mark.parametrize(
    ("text", "registry", "region", "partition"),
    [
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1",
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
            "cn-north-1",
            "aws-cn",
        ),
        (
            "123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn/app:1",
            "123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn",
            "cn-northwest-1",
            "aws-cn",
        ),
        (
            "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app:1",
            "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com",
            "us-east-1",
            "aws",
        ),
        (
            "123456789012.dkr-ecr.eu-west-1.on.aws/app:1",
            "123456789012.dkr-ecr.eu-west-1.on.aws",
            "eu-west-1",
            "aws",
        ),
        (
            "123456789012.dkr-ecr-fips.us-east-2.on.aws/app:1",
            "123456789012.dkr-ecr-fips.us-east-2.on.aws",
            "us-east-2",
            "aws",
        ),
        (
            "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/app:1",
            "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com",
            "us-gov-west-1",
            "aws-us-gov",
        ),
        (
            "https://123456789012.dkr.ecr-fips.us-gov-east-1.amazonaws.com/app:1",
            "123456789012.dkr.ecr-fips.us-gov-east-1.amazonaws.com",
            "us-gov-east-1",
            "aws-us-gov",
        ),
        (
            "  https://123456789012.dkr.ecr.US-EAST-1.amazonaws.com/app:1  ",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "us-east-1",
            "aws",
        ),
    ],
)
def test_ecr_host_forms(text: str, registry: str, region: str, partition: str) -> None:
    reference = parse_image_reference(text)
    assert reference.registry == registry
    assert reference.account_id == ACCOUNT
    assert reference.region == region
    assert reference.partition == partition
    assert reference.is_ecr
    assert (reference.repository, reference.tag) == ("app", "1")


def test_custom_registry_and_bare_references() -> None:
    demo = parse_image_reference("127.0.0.1:5000/team/app:1.0")
    assert demo == ImageReference("127.0.0.1:5000", None, None, "team/app", "1.0", None)
    assert demo.partition is None
    assert not demo.is_ecr
    assert parse_image_reference("localhost/app").registry == "localhost"
    assert parse_image_reference("[::1]:5000/app").registry == "[::1]:5000"
    assert parse_image_reference("payments/api:v2") == ImageReference(
        None, None, None, "payments/api", "v2", None
    )
    assert parse_image_reference(f"nginx@{DIGEST}").image_uri == f"nginx@{DIGEST}"
    both = parse_image_reference(f"app:1@{DIGEST}")
    assert (both.tag, both.digest, both.image_uri) == ("1", DIGEST, f"app:1@{DIGEST}")
    # LocalStack serves ECR-looking hosts on a port: a custom registry, not a broken ECR URI.
    localstack = "000000000000.dkr.ecr.us-east-1.localhost.localstack.cloud:4566/app"
    assert parse_image_reference(localstack).account_id is None


@pytest.mark.parametrize(
    ("text", "part", "message"),
    [
        ("", "reference", "an image reference is required"),
        (
            "123456789012.dkr.ecr.us-est-1.amazonaws.com/app",
            "region",
            "unknown region 'us-est-1': did you mean 'us-east-1' or 'us-west-1'?",
        ),
        (
            "123456789012.dkr.ecr.eu-centrl-1.amazonaws.com/app",
            "region",
            "unknown region 'eu-centrl-1': did you mean 'eu-central-1'?",
        ),
        ("123456789012.dkr.ecr.mars-1.amazonaws.com/app", "region", "unknown region 'mars-1'"),
        (
            "12345678901.dkr.ecr.us-east-1.amazonaws.com/app",
            "account",
            "account ID '12345678901' has 11 digits, needs 12",
        ),
        (
            "dkr.ecr.us-east-1.amazonaws.com/app",
            "account",
            "the registry host is missing the account ID",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.co/app",
            "registry",
            "wrong domain 'amazonaws.co': ECR hosts in us-east-1 end in 'amazonaws.com'",
        ),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com/app",
            "registry",
            "wrong domain 'amazonaws.com': ECR hosts in cn-north-1 end in 'amazonaws.com.cn'",
        ),
        (
            "123456789012.ecr.us-east-1.amazonaws.com/app",
            "registry",
            "wrong domain: expected 'dkr.ecr' after the account ID, found 'ecr.us-east-1'",
        ),
        (
            "123456789012.dkr.ecr.amazonaws.com/app",
            "region",
            "the registry host is missing the region",
        ),
        (
            "123456789012.dkr.ecr-fips.cn-north-1.amazonaws.com.cn/app",
            "region",
            "there are no FIPS endpoints in cn-north-1",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com:443/app",
            "registry",
            "ECR registry hosts take no port",
        ),
        (
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",
            "repository",
            "the repository name is missing",
        ),
        ("bad_host.example:99999x/app", "registry", "registry host 'bad_host.example:99999x'"),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/Payments/API:1",
            "repository",
            "repository name 'Payments/API': uppercase letters are not allowed: use 'payments/api'",
        ),
        ("app:", "tag", "tag '': a tag is required"),
        ("app@sha256:abc", "digest", "digest 'sha256:abc': has 3 hex digits"),
    ],
)
def test_reference_errors(text: str, part: str, message: str) -> None:
    error = _error(text)
    assert error.part == part
    assert str(error).startswith(message)


def test_registry_host_forms_and_checks() -> None:
    assert registry_host(ACCOUNT, "us-east-1") == f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert registry_host(ACCOUNT, "CN-NORTH-1") == f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn"
    assert (
        registry_host(ACCOUNT, "us-gov-west-1", fips=True)
        == f"{ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com"
    )
    assert registry_host(ACCOUNT, "eu-west-1", dual_stack=True) == (
        f"{ACCOUNT}.dkr-ecr.eu-west-1.on.aws"
    )
    assert registry_host(ACCOUNT, "us-east-2", fips=True, dual_stack=True) == (
        f"{ACCOUNT}.dkr-ecr-fips.us-east-2.on.aws"
    )
    with pytest.raises(ImageReferenceError, match="no FIPS endpoints"):
        registry_host(ACCOUNT, "cn-north-1", fips=True)
    with pytest.raises(ImageReferenceError, match="account ID"):
        registry_host("1234", "us-east-1")


def test_image_uri_and_pull_command() -> None:
    repository_uri = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/payments/api"
    assert image_uri(repository_uri, tag="v1") == f"{repository_uri}:v1"
    assert image_uri(repository_uri, digest=DIGEST) == f"{repository_uri}@{DIGEST}"
    assert image_uri(repository_uri) == repository_uri
    with pytest.raises(ImageReferenceError, match="tag '-x'"):
        image_uri(repository_uri, tag="-x")
    with pytest.raises(ImageReferenceError, match="digest 'sha256:1'"):
        image_uri(repository_uri, digest="sha256:1")
    with pytest.raises(ImageReferenceError, match="already names an image"):
        image_uri(f"{repository_uri}:v1", tag="v2")
    assert docker_pull_command(f"https://{repository_uri}:v1") == (
        f"docker pull {repository_uri}:v1"
    )
    with pytest.raises(ImageReferenceError):
        docker_pull_command("app:bad tag")


# --- IAM ----------------------------------------------------------------------------------


def test_policies_hold_exactly_the_listed_actions() -> None:
    expected = {
        "pull": [
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability",
        ],
        "push": [
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability",
            "ecr:PutImage",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
        ],
        "browse": list(BROWSE_ACTIONS),
    }
    assert list(PULL_ACTIONS) == expected["pull"]
    assert list(PUSH_ACTIONS) == expected["push"]
    for kind in ("pull", "push", "browse"):
        policy = policy_for(kind, REPO_ARN)
        assert policy["Version"] == "2012-10-17"
        token, main = policy["Statement"]
        assert token == {
            "Sid": "EcrLogin",
            "Effect": "Allow",
            "Action": AUTHORIZATION_TOKEN_ACTION,
            "Resource": "*",
        }
        assert main["Effect"] == "Allow"
        assert main["Action"] == expected[kind]
        assert main["Resource"] == REPO_ARN
        assert AUTHORIZATION_TOKEN_ACTION not in main["Action"]
        assert json.loads(policy_json(kind, REPO_ARN)) == policy
    assert policy_json("pull", REPO_ARN).startswith('{\n  "Version"')
    assert not any(
        verb in action
        for action in BROWSE_ACTIONS
        for verb in ("Put", "Delete", "Upload", "Set", "GetDownloadUrl")
    )


def test_policy_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown policy kind 'admin'"):
        policy_for("admin", REPO_ARN)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an ECR repository ARN"):
        policy_for("pull", "arn:aws:s3:::bucket")
    wildcard = "arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/*"
    assert policy_for("browse", wildcard)["Statement"][1]["Resource"] == wildcard


USER = "arn:aws:iam::123456789012:user/dev"
ROLE_SESSION = "arn:aws:sts::210987654321:assumed-role/CI/build-42"


def test_access_denied_identity_based() -> None:
    message = (
        f"User: {USER} is not authorized to perform: ecr:DescribeImages on resource: "
        f"{REPO_ARN} because no identity-based policy allows the ecr:DescribeImages action"
    )
    denied = parse_access_denied(message)
    assert denied is not None
    assert (denied.principal, denied.action, denied.resource) == (
        USER,
        "ecr:DescribeImages",
        REPO_ARN,
    )
    assert denied.reason == "no identity-based policy allows the ecr:DescribeImages action"
    assert not denied.explicit_deny
    assert denied.policy_type == "identity-based policy"
    assert denied.allowing_statement() == {
        "Sid": "AllowEcrDescribeImages",
        "Effect": "Allow",
        "Action": "ecr:DescribeImages",
        "Resource": REPO_ARN,
    }
    explanation = denied.explain()
    assert USER in explanation
    assert f"ecr:DescribeImages on {REPO_ARN}" in explanation
    assert "Why: no identity-based policy allows" in explanation
    assert f"Add this statement to a policy attached to {USER}" in explanation
    assert '"Sid": "AllowEcrDescribeImages"' in explanation


def test_access_denied_explicit_deny_in_scp_from_botocore_text() -> None:
    message = (
        "An error occurred (AccessDeniedException) when calling the BatchGetImage operation: "
        f"User: {ROLE_SESSION} is not authorized to perform: ecr:BatchGetImage on resource: "
        f"{REPO_ARN} with an explicit deny in a service control policy"
    )
    denied = parse_access_denied(message)
    assert denied is not None
    assert denied.principal == ROLE_SESSION
    assert denied.explicit_deny
    assert denied.policy_type == "service control policy"
    explanation = denied.explain()
    assert "Why: blocked by an explicit deny in a service control policy." in explanation
    assert "adding an allow statement will not help" in explanation
    assert "AWS Organizations administrator" in explanation
    assert '"Effect"' not in explanation


def test_access_denied_without_resource_uses_star() -> None:
    message = (
        f"User: {USER} is not authorized to perform: ecr:GetAuthorizationToken because no "
        "identity-based policy allows the ecr:GetAuthorizationToken action"
    )
    denied = parse_access_denied(message)
    assert denied is not None
    assert denied.resource is None
    assert denied.allowing_statement()["Resource"] == "*"
    assert "ecr:GetAuthorizationToken." in denied.explain().splitlines()[0]


def test_access_denied_token_is_always_star() -> None:
    message = (
        f"User: {USER} is not authorized to perform: ecr:GetAuthorizationToken on resource: "
        f"{REPO_ARN} because no identity-based policy allows the ecr:GetAuthorizationToken action"
    )
    denied = parse_access_denied(message)
    assert denied is not None
    assert denied.allowing_statement()["Resource"] == "*"


def test_access_denied_resource_based_names_the_role() -> None:
    message = (
        f"User: {ROLE_SESSION} is not authorized to perform: ecr:BatchGetImage on resource: "
        f"{REPO_ARN} because no resource-based policy allows the ecr:BatchGetImage action"
    )
    denied = parse_access_denied(message)
    assert denied is not None
    assert denied.policy_type == "resource-based policy"
    assert denied.allowing_statement() == {
        "Sid": "AllowEcrBatchGetImage",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:role/CI"},
        "Action": "ecr:BatchGetImage",
    }
    assert f"repository policy of {REPO_ARN}" in denied.explain()


@pytest.mark.parametrize(
    ("explicit", "policy_type", "advice"),
    [
        (True, "identity-based policy", "IAM administrator of account 123456789012"),
        (True, "permissions boundary", "permissions boundary"),
        (True, "resource-based policy", "owner of the repository policy"),
        (True, "resource control policy", "AWS Organizations administrator"),
        (True, "session policy", "whoever issues your session"),
        (True, "VPC endpoint policy", "network administrator"),
        (False, "session policy", "session policy that includes"),
        (False, "permissions boundary", "permissions boundary must allow"),
        (False, "service control policy", "AWS Organizations administrator"),
        (False, "VPC endpoint policy", "network administrator"),
    ],
)
def test_access_denied_variants(explicit: bool, policy_type: str, advice: str) -> None:
    article = "an" if policy_type[0] in "aeiou" else "a"
    reason = (
        f"with an explicit deny in {article} {policy_type}"
        if explicit
        else f"because no {policy_type} allows the ecr:ListImages action"
    )
    message = (
        f"User: {USER} is not authorized to perform: ecr:ListImages on resource: {REPO_ARN} "
        f"{reason}"
    )
    denied = parse_access_denied(message)
    assert denied is not None
    assert denied.explicit_deny is explicit
    assert denied.policy_type == policy_type
    explanation = denied.explain()
    assert advice in explanation
    assert ("will not help" in explanation) is explicit
    assert ('"Effect": "Allow"' in explanation) is not explicit


def test_access_denied_edge_cases() -> None:
    # A trailing period must not stick to the resource; a policy ARN stays in the reason.
    bare = parse_access_denied(
        f"User: {USER} is not authorized to perform: ecr:ListImages on resource: {REPO_ARN}."
    )
    assert bare is not None
    assert (bare.resource, bare.reason) == (REPO_ARN, None)
    scp = "arn:aws:organizations::111122223333:policy/o-abc/service_control_policy/p-xyz"
    with_arn = parse_access_denied(
        f"User: {USER} is not authorized to perform: ecr:PutImage on resource: {REPO_ARN} "
        f"with an explicit deny in a service control policy: {scp}"
    )
    assert with_arn is not None
    assert with_arn.reason == f"an explicit deny in a service control policy: {scp}"
    assert parse_access_denied("RepositoryNotFoundException: no such repository") is None
    assert parse_access_denied("") is None
