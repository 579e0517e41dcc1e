"""Repository administration against a real ECR endpoint over HTTP (moto behind
`LocalEcr`), and property tests for the policy validators."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_tui.core.admin.images import ImageRef, delete_images, retag_image, start_scan
from ecr_tui.core.admin.lifecycle_policy import (
    delete_lifecycle_policy,
    get_lifecycle_policy,
    lifecycle_policy_problem,
    preview_lifecycle_policy,
    set_lifecycle_policy,
)
from ecr_tui.core.admin.repositories import (
    NewRepository,
    TagMutabilitySetting,
    count_images,
    create_repository,
    delete_repository,
    exclusion_filters_problem,
    get_tag_mutability,
    parse_resource_tags,
    set_scan_on_push,
    set_tag_mutability,
    toggled_tag_mutability,
)
from ecr_tui.core.admin.repository_policy import (
    delete_repository_policy,
    get_repository_policy,
    repository_policy_problem,
    set_repository_policy,
)
from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import UserFacingError
from ecr_tui.core.models import ScanState
from ecr_tui.demo.endpoint import LocalEcr

# An account no other test module serves: LocalEcr allows one endpoint per account.
ACCOUNT = "777788889999"
MISSING_DIGEST = "sha256:" + "0" * 64
FAST = settings(max_examples=100, deadline=None)

_manifest_numbers = itertools.count()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """An empty ECR endpoint of its own, served over real HTTP."""
    server = LocalEcr(account_id=ACCOUNT, scan_seconds=0.2)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(scope="module")
def service(endpoint: str) -> EcrService:
    """The production client, pointed at the local endpoint (one: sessions are slow to make)."""
    return EcrService(ConnectionSettings(endpoint_url=endpoint, region="us-east-1", demo=True))


_repository_numbers = itertools.count()


@pytest.fixture()
def repository(service: EcrService) -> str:
    """A fresh, empty, mutable repository for one test."""
    name = f"admin/test-{next(_repository_numbers)}"
    service.ecr.create_repository(repositoryName=name)
    return name


def push(service: EcrService, repository: str, tag: str | None = None) -> str:
    """Put a small, unique image manifest; its digest."""
    number = next(_manifest_numbers)
    layer = hashlib.sha256(f"layer {number}".encode()).hexdigest()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 100,
                "digest": "sha256:" + hashlib.sha256(f"config {number}".encode()).hexdigest(),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1000 + number,
                    "digest": f"sha256:{layer}",
                }
            ],
        }
    )
    request: dict[str, Any] = {"repositoryName": repository, "imageManifest": manifest}
    if tag:
        request["imageTag"] = tag
    return service.ecr.put_image(**request)["image"]["imageId"]["imageDigest"]


def tags_by_digest(service: EcrService, repository: str) -> dict[str, set[str]]:
    """What DescribeImages says: each digest's tags."""
    details = service.ecr.describe_images(repositoryName=repository)["imageDetails"]
    return {item["imageDigest"]: set(item.get("imageTags", [])) for item in details}


def lifecycle(*rules: dict[str, Any]) -> str:
    """A lifecycle policy document with these rules."""
    return json.dumps({"rules": list(rules)}, indent=2)


def rule(
    priority: int = 1,
    tag_status: str = "untagged",
    count_type: str = "sinceImagePushed",
    count: object = 14,
    **selection: Any,
) -> dict[str, Any]:
    """One lifecycle rule; `selection` adds or overrides selection fields."""
    chosen: dict[str, Any] = {
        "tagStatus": tag_status,
        "countType": count_type,
        "countNumber": count,
    }
    if count_type == "sinceImagePushed":
        chosen["countUnit"] = "days"
    chosen.update(selection)
    return {"rulePriority": priority, "selection": chosen, "action": {"type": "expire"}}


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    """A repository policy document with these statements."""
    return json.dumps({"Version": version, "Statement": list(statements)}, indent=2)


PULL_STATEMENT = {
    "Sid": "Pull",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
}


# -- creating -----------------------------------------------------------------------------


def test_create_with_every_option(service: EcrService) -> None:
    spec = NewRepository(
        name="admin/everything",
        tag_mutability="IMMUTABLE_WITH_EXCLUSION",
        exclusion_filters=("latest", "dev-*"),
        scan_on_push=True,
        encryption="KMS",
        kms_key="alias/ecr-tui-test",
        tags=(("team", "platform"), ("cost center", "42")),
    )
    created = create_repository(service, spec)
    assert created.name == "admin/everything"
    assert created.tag_mutability == "IMMUTABLE_WITH_EXCLUSION"
    assert created.scan_on_push is True
    assert (created.encryption, created.kms_key) == ("KMS", "alias/ecr-tui-test")

    described = service.ecr.describe_repositories(repositoryNames=[spec.name])["repositories"][0]
    assert described["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert described["imageTagMutabilityExclusionFilters"] == [
        {"filterType": "WILDCARD", "filter": "latest"},
        {"filterType": "WILDCARD", "filter": "dev-*"},
    ]
    assert described["imageScanningConfiguration"] == {"scanOnPush": True}
    assert described["encryptionConfiguration"] == {
        "encryptionType": "KMS",
        "kmsKey": "alias/ecr-tui-test",
    }
    tags = service.ecr.list_tags_for_resource(resourceArn=created.arn)["tags"]
    assert {(t["Key"], t["Value"]) for t in tags} == {("team", "platform"), ("cost center", "42")}


def test_create_with_defaults(service: EcrService) -> None:
    created = create_repository(service, NewRepository("admin/plain"))
    assert (created.tag_mutability, created.scan_on_push, created.encryption) == (
        "MUTABLE",
        False,
        "AES256",
    )
    assert service.repository("admin/plain") == created


def test_create_twice_says_it_exists(service: EcrService, repository: str) -> None:
    with pytest.raises(UserFacingError, match="exists already"):
        create_repository(service, NewRepository(repository))


BAD_CALLS: list[tuple[str, Callable[[EcrService], object], str]] = [
    ("uppercase name", lambda s: create_repository(s, NewRepository("Team/App")), "'team/app'"),
    ("name with space", lambda s: create_repository(s, NewRepository("my app")), "spaces"),
    (
        "filters without exclusion",
        lambda s: create_repository(s, NewRepository("ok-name", exclusion_filters=("x",))),
        "only to the *_WITH_EXCLUSION",
    ),
    (
        "exclusion without filters",
        lambda s: create_repository(
            s, NewRepository("ok-name", tag_mutability="MUTABLE_WITH_EXCLUSION")
        ),
        "at least one tag filter",
    ),
    (
        "six filters",
        lambda s: create_repository(
            s,
            NewRepository(
                "ok-name",
                tag_mutability="IMMUTABLE_WITH_EXCLUSION",
                exclusion_filters=tuple("abcdef"),
            ),
        ),
        "at most 5",
    ),
    (
        "bad filter",
        lambda s: create_repository(
            s,
            NewRepository(
                "ok-name", tag_mutability="IMMUTABLE_WITH_EXCLUSION", exclusion_filters=("a b",)
            ),
        ),
        "filter 'a b'",
    ),
    (
        "kms key with AES256",
        lambda s: create_repository(s, NewRepository("ok-name", kms_key="alias/x")),
        "only applies to KMS",
    ),
    (
        "bad kms key",
        lambda s: create_repository(
            s, NewRepository("ok-name", encryption="KMS", kms_key="my key")
        ),
        "expected a key ID",
    ),
    (
        "reserved tag key",
        lambda s: create_repository(s, NewRepository("ok-name", tags=(("aws:x", "1"),))),
        "reserved",
    ),
    (
        "duplicate tag key",
        lambda s: create_repository(s, NewRepository("ok-name", tags=(("a", "1"), ("a", "2")))),
        "given twice",
    ),
    ("delete bad name", lambda s: delete_repository(s, "-bad", force=True), "must start"),
    ("count bad name", lambda s: count_images(s, "a//b"), "empty path component"),
    (
        "delete bad digest",
        lambda s: delete_images(s, "ok-name", [ImageRef(digest="sha256:xyz")]),
        "not hex digits",
    ),
    ("delete bad tag", lambda s: delete_images(s, "ok-name", [ImageRef(tag="-x")]), "must start"),
    ("delete empty ref", lambda s: delete_images(s, "ok-name", [ImageRef()]), "digest or a tag"),
    (
        "mutability filters",
        lambda s: set_tag_mutability(s, "ok-name", "IMMUTABLE_WITH_EXCLUSION"),
        "at least one tag filter",
    ),
    ("scan bad digest", lambda s: start_scan(s, "ok-name", "abc"), "sha256:"),
    ("scan on push bad name", lambda s: set_scan_on_push(s, "UP", True), "uppercase"),
    ("retag bad tag", lambda s: retag_image(s, "ok-name", MISSING_DIGEST, "new tag"), "spaces"),
    (
        "policy not json",
        lambda s: set_repository_policy(s, "ok-name", "{'Version': 1}"),
        "line 1, column 2",
    ),
    (
        "lifecycle no rules",
        lambda s: set_lifecycle_policy(s, "ok-name", "{}"),
        "'rules' is missing",
    ),
    (
        "preview bad policy",
        lambda s: preview_lifecycle_policy(s, "ok-name", lifecycle(rule(count=0))),
        "countNumber",
    ),
]


@pytest.mark.parametrize(
    ("call", "fragment"), [(c, f) for _, c, f in BAD_CALLS], ids=[i for i, _, _ in BAD_CALLS]
)
def test_bad_input_never_reaches_aws(
    service: EcrService, call: Callable[[EcrService], object], fragment: str
) -> None:
    before = service.api_calls
    with pytest.raises(UserFacingError) as raised:
        call(service)
    assert fragment in raised.value.problem.detail
    assert service.api_calls == before


def test_parse_resource_tags() -> None:
    assert parse_resource_tags(" team=platform, cost center = 42 ,empty=, expr=a=b,") == (
        ("team", "platform"),
        ("cost center", "42"),
        ("empty", ""),
        ("expr", "a=b"),
    )
    assert parse_resource_tags("  ") == ()
    with pytest.raises(ValueError, match="'owner' needs a value"):
        parse_resource_tags("team=a, owner")


def test_exclusion_filters_problem() -> None:
    assert exclusion_filters_problem("MUTABLE", ()) is None
    assert exclusion_filters_problem("MUTABLE_WITH_EXCLUSION", ("release-*", "v1.*")) is None
    assert "twice" in (exclusion_filters_problem("IMMUTABLE_WITH_EXCLUSION", ("a", "a")) or "")
    assert "unknown" in (exclusion_filters_problem("SOMETIMES", ()) or "")


# -- deleting -----------------------------------------------------------------------------


def test_delete_repository_without_and_with_force(service: EcrService, repository: str) -> None:
    digest = push(service, repository, "v1")
    service.ecr.put_image(
        repositoryName=repository,
        imageManifest=service.ecr.batch_get_image(
            repositoryName=repository, imageIds=[{"imageDigest": digest}]
        )["images"][0]["imageManifest"],
        imageTag="v1-alias",
    )
    push(service, repository)
    assert count_images(service, repository) == 2  # one image with two tags, one untagged

    with pytest.raises(UserFacingError, match="delete with force"):
        delete_repository(service, repository, force=False)
    assert service.repository(repository).name == repository

    delete_repository(service, repository, force=True)
    with pytest.raises(service.ecr.exceptions.RepositoryNotFoundException):
        service.repository(repository)


def test_delete_empty_repository_needs_no_force(service: EcrService, repository: str) -> None:
    assert count_images(service, repository) == 0
    delete_repository(service, repository, force=False)
    assert repository not in {r.name for page in service.repository_pages() for r in page}


def test_delete_images_reports_each_failure(service: EcrService, repository: str) -> None:
    kept = push(service, repository, "keep")
    gone = push(service, repository, "old")
    outcome = delete_images(
        service, repository, [ImageRef(digest=gone), ImageRef(digest=MISSING_DIGEST)]
    )
    assert [ref.digest for ref in outcome.deleted] == [gone]
    assert len(outcome.failures) == 1
    failure = outcome.failures[0]
    assert failure.image.digest == MISSING_DIGEST
    assert failure.code == "ImageNotFound"
    assert failure.explanation.startswith("no such image")
    assert "1 failed" in outcome.summary and "deleted 1" in outcome.summary
    assert set(tags_by_digest(service, repository)) == {kept}


def test_delete_by_tag_keeps_an_image_with_other_tags(service: EcrService, repository: str) -> None:
    digest = push(service, repository, "v1")
    retag_image(service, repository, digest, "stable")
    outcome = delete_images(service, repository, [ImageRef(tag="v1")])
    assert outcome.failures == ()
    assert tags_by_digest(service, repository) == {digest: {"stable"}}


def test_delete_images_in_batches_of_100(service: EcrService, repository: str) -> None:
    real = [push(service, repository) for _ in range(3)]
    missing = [f"sha256:{n:064x}" for n in range(1, 148)]
    before = service.api_calls
    outcome = delete_images(service, repository, [ImageRef(digest=d) for d in real + missing])
    assert service.api_calls - before == 2  # 150 ids: one request of 100, one of 50
    assert sorted(ref.digest or "" for ref in outcome.deleted) == sorted(real)
    assert len(outcome.failures) == 147
    assert {f.code for f in outcome.failures} == {"ImageNotFound"}


# -- settings and scans -------------------------------------------------------------------


def test_tag_mutability_and_scan_on_push(service: EcrService, repository: str) -> None:
    set_tag_mutability(service, repository, "MUTABLE_WITH_EXCLUSION", ["release-*"])
    described = service.ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]
    assert described["imageTagMutability"] == "MUTABLE_WITH_EXCLUSION"
    assert described["imageTagMutabilityExclusionFilters"] == [
        {"filterType": "WILDCARD", "filter": "release-*"}
    ]
    set_tag_mutability(service, repository, "IMMUTABLE")
    assert service.repository(repository).tag_mutability == "IMMUTABLE"

    set_scan_on_push(service, repository, True)
    assert service.repository(repository).scan_on_push is True
    set_scan_on_push(service, repository, False)
    assert service.repository(repository).scan_on_push is False


def test_tag_mutability_toggles_keep_exclusion_filters(service: EcrService) -> None:
    name = "admin/exclusions"
    create_repository(
        service,
        NewRepository(name, "MUTABLE_WITH_EXCLUSION", exclusion_filters=("latest", "v*")),
    )
    current = get_tag_mutability(service, name)
    assert current == TagMutabilitySetting("MUTABLE_WITH_EXCLUSION", ("latest", "v*"))
    target = toggled_tag_mutability(current)
    assert target == TagMutabilitySetting("IMMUTABLE_WITH_EXCLUSION", ("latest", "v*"))
    set_tag_mutability(service, name, target.mutability, target.exclusion_filters)
    assert get_tag_mutability(service, name) == target
    assert toggled_tag_mutability(target) == current
    assert toggled_tag_mutability(TagMutabilitySetting("MUTABLE")) == TagMutabilitySetting(
        "IMMUTABLE"
    )
    # Filters ECR did not report cannot be kept: the plain opposite is all that is left.
    assert toggled_tag_mutability(
        TagMutabilitySetting("IMMUTABLE_WITH_EXCLUSION")
    ) == TagMutabilitySetting("MUTABLE")


def test_start_scan_once_a_day(service: EcrService, repository: str) -> None:
    digest = push(service, repository, "v1")
    assert start_scan(service, repository, digest) is ScanState.IN_PROGRESS
    with pytest.raises(UserFacingError) as raised:
        start_scan(service, repository, digest)
    assert raised.value.problem.title == "Scan limit reached"
    assert "ECR scans an image once every 24 hours" in raised.value.problem.detail


# -- repository policy --------------------------------------------------------------------


def test_repository_policy_set_get_delete(service: EcrService, repository: str) -> None:
    assert get_repository_policy(service, repository) is None
    text = policy(PULL_STATEMENT)
    set_repository_policy(service, repository, text)
    stored = get_repository_policy(service, repository)
    assert stored is not None and json.loads(stored) == json.loads(text)
    assert delete_repository_policy(service, repository) is True
    assert get_repository_policy(service, repository) is None
    assert delete_repository_policy(service, repository) is False


REPOSITORY_POLICY_PROBLEMS = [
    ("", "empty"),
    ('{\n  "Version": "2012-10-17",\n  "Statement": [\n}', "line 4, column 1"),
    ("[]", "JSON object"),
    ('{"Statement": []}', "'Version' is missing"),
    (policy(PULL_STATEMENT, version="2020-01-01"), '"2020-01-01"'),
    (json.dumps({"Version": "2012-10-17"}), "'Statement' is missing"),
    (policy(), "'Statement' is empty"),
    (json.dumps({"Version": "2012-10-17", "Statement": "all"}), "list of statements"),
    (policy({**PULL_STATEMENT, "Effect": "allow"}), 'not "allow"'),
    (policy({k: v for k, v in PULL_STATEMENT.items() if k != "Effect"}), "no 'Effect'"),
    (policy({k: v for k, v in PULL_STATEMENT.items() if k != "Principal"}), "no 'Principal'"),
    (policy({k: v for k, v in PULL_STATEMENT.items() if k != "Action"}), "no 'Action'"),
    (policy({**PULL_STATEMENT, "NotAction": "ecr:PutImage"}), "both 'Action' and 'NotAction'"),
    (policy({**PULL_STATEMENT, "Action": []}), "non-empty list"),
    (policy({**PULL_STATEMENT, "Action": ["ecr:PutImage", "s3:GetObject"]}), "'s3:GetObject'"),
    (policy(PULL_STATEMENT, {**PULL_STATEMENT, "Sid": "Two", "Action": "ec2:*"}), "statement 2"),
    ("x" * 10_241, "too long"),
    (policy(PULL_STATEMENT).replace('"Allow"', "NaN"), "NaN is not a JSON value"),
    (
        policy({**PULL_STATEMENT, "Condition": {"NumericLessThan": {"n": "MARK"}}}).replace(
            '"MARK"', "Infinity"
        ),
        "Infinity is not a JSON value",
    ),
    (
        policy(PULL_STATEMENT).replace('"Effect"', '"Effect": "Deny", "Effect"'),
        'the key "Effect" is given twice',
    ),
    (
        policy({**PULL_STATEMENT, "Actions": ["ecr:PutImage"]}),
        "unknown property 'Actions'; did you mean 'Action'?",
    ),
    (
        json.dumps({"Version": "2012-10-17", "Statement": [PULL_STATEMENT], "Comment": "x"}),
        "the policy: unknown property 'Comment'",
    ),
]


@pytest.mark.parametrize(
    ("text", "fragment"), REPOSITORY_POLICY_PROBLEMS, ids=[f for _, f in REPOSITORY_POLICY_PROBLEMS]
)
def test_repository_policy_problems(
    service: EcrService, repository: str, text: str, fragment: str
) -> None:
    problem = repository_policy_problem(text)
    assert problem is not None and fragment in problem
    before = service.api_calls
    with pytest.raises(UserFacingError, match="Invalid repository policy"):
        set_repository_policy(service, repository, text)
    assert service.api_calls == before


def test_repository_policy_accepts_iam_shorthands() -> None:
    lone_statement = {"Version": "2008-10-17", "Statement": {**PULL_STATEMENT, "Action": "*"}}
    assert repository_policy_problem(json.dumps(lone_statement)) is None
    assert repository_policy_problem(policy({**PULL_STATEMENT, "Action": "ECR:*"})) is None


ecr_actions = st.sampled_from(
    ["ecr:BatchGetImage", "ecr:PutImage", "ecr:*", "ecr:Describe*", "*"]
) | st.from_regex(r"ecr:[A-Za-z*]{1,30}", fullmatch=True)
action_fields = ecr_actions | st.lists(ecr_actions, min_size=1, max_size=4)
principals = st.sampled_from(["*", {"AWS": "arn:aws:iam::123456789012:root"}, {"Service": "x"}])
statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Principal": principals,
        "Action": action_fields,
    },
    optional={"Sid": st.text("ABCdef123", min_size=1, max_size=8)},
)
valid_policies = st.builds(
    lambda version, items: json.dumps({"Version": version, "Statement": items}),
    st.sampled_from(["2012-10-17", "2008-10-17"]),
    st.lists(statements, min_size=1, max_size=4),
)


@FAST
@given(valid_policies)
def test_well_formed_repository_policies_pass(text: str) -> None:
    assert repository_policy_problem(text) is None


@FAST
@given(
    st.lists(statements, min_size=1, max_size=4),
    st.data(),
    st.from_regex(r"(s3|iam|ec2|sts|ecr-public):[A-Za-z]{1,12}", fullmatch=True),
)
def test_a_foreign_action_is_named(
    items: list[dict[str, Any]], data: st.DataObject, foreign: str
) -> None:
    index = data.draw(st.integers(0, len(items) - 1))
    items[index] = {**items[index], "Action": [foreign]}
    problem = repository_policy_problem(json.dumps({"Version": "2012-10-17", "Statement": items}))
    assert problem is not None
    assert repr(foreign) in problem and f"statement {index + 1}" in problem


@FAST
@given(valid_policies.map(lambda text: json.dumps(json.loads(text), indent=2)), st.data())
def test_broken_json_is_located(text: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(1, len(text) - 1))
    broken = text[:cut]
    with pytest.raises(json.JSONDecodeError) as decoded:
        json.loads(broken)
    problem = repository_policy_problem(broken)
    assert problem == (
        f"not valid JSON at line {decoded.value.lineno}, column {decoded.value.colno}: "
        f"{decoded.value.msg}"
    )


def test_json_problems_say_where_they_are() -> None:
    text = (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [{\n'
        '    "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",\n'
        '    "Condition": {"NumericLessThan": {"aws:EpochTime": NaN}},\n'
        '    "Effect": "Deny"\n'
        "  }]\n"
        "}"
    )
    assert repository_policy_problem(text) == (
        "line 5, column 56: NaN is not a JSON value: use a number or a string"
    )
    text = text.replace("NaN", "1")
    assert repository_policy_problem(text) == (
        'line 6, column 5: the key "Effect" is given twice in one object (first at line 4, '
        "column 5); JSON keeps only one of them: remove or merge the other"
    )
    text = text.replace(',\n    "Effect": "Deny"', "").replace('"Condition"', '"Conditions"')
    assert repository_policy_problem(text) == (
        "line 5, column 5: statement 1: unknown property 'Conditions'; did you mean "
        "'Condition'? it takes Sid, Effect, Principal, NotPrincipal, Action, NotAction, "
        "Resource, NotResource, Condition"
    )
    # The same key in two different objects is fine; one object may not hold it twice.
    nested = policy({**PULL_STATEMENT, "Principal": {"AWS": "a"}, "Condition": {"AWS": {}}})
    assert repository_policy_problem(nested) is None
    lifecycle_text = lifecycle(rule(tagPrefixes=["v"]))  # line 10: "tagPrefixes": [
    assert lifecycle_policy_problem(lifecycle_text) == (
        "line 10, column 9: rule 1: selection: unknown property 'tagPrefixes'; did you mean "
        "'tagPrefixList'? it takes tagStatus, tagPatternList, tagPrefixList, countType, "
        "countUnit, countNumber, storageClass"
    )


@FAST
@given(valid_policies, st.data())
def test_a_key_given_twice_is_refused_wherever_it_is(text: str, data: st.DataObject) -> None:
    document = json.loads(text)
    statements = document["Statement"]
    statement = statements[data.draw(st.integers(0, len(statements) - 1))]
    key = data.draw(st.sampled_from(sorted(statement)))
    marker = "__TWICE__"
    statement[marker] = "x"
    doubled = json.dumps(document).replace(f'"{marker}"', json.dumps(key))
    problem = repository_policy_problem(doubled)
    assert problem is not None and f"the key {json.dumps(key)} is given twice" in problem


# -- lifecycle policy ---------------------------------------------------------------------

KEEP_TEN = lifecycle(
    rule(1, "tagged", "sinceImagePushed", 30, tagPatternList=["dev-*"]),
    rule(2, "untagged", "sinceImagePushed", 7),
    rule(3, "any", "imageCountMoreThan", 10),
)


def test_lifecycle_policy_set_get_delete(service: EcrService, repository: str) -> None:
    assert get_lifecycle_policy(service, repository) is None
    set_lifecycle_policy(service, repository, KEEP_TEN)
    stored = get_lifecycle_policy(service, repository)
    assert stored is not None and json.loads(stored) == json.loads(KEEP_TEN)
    assert delete_lifecycle_policy(service, repository) is True
    assert get_lifecycle_policy(service, repository) is None
    assert delete_lifecycle_policy(service, repository) is False


LIFECYCLE_PROBLEMS = [
    ("{", "not valid JSON at line 1, column 2"),
    ('{"rules": []}', "non-empty list"),
    (lifecycle(rule(0)), "rulePriority must be a whole number from 1"),
    (lifecycle(rule(1), rule(1)), "rule 2: rulePriority 1 is already used by rule 1"),
    (lifecycle(rule(tag_status="all")), 'not "all"'),
    (lifecycle(rule(tag_status="tagged")), "needs a tagPatternList"),
    (lifecycle(rule(tagPrefixList=["v"])), 'tagStatus "untagged" takes no tagPrefixList'),
    (lifecycle(rule(tag_status="tagged", tagPatternList=["*a*b*c*d*"])), "has 5 '*'"),
    (lifecycle(rule(tag_status="tagged", tagPrefixList=[])), "non-empty list"),
    (lifecycle(rule(count_type="imageCountLessThan")), '"imageCountLessThan"'),
    (lifecycle(rule(count=0)), "above 0"),
    (lifecycle(rule(count="5")), 'not "5"'),
    (lifecycle(rule(countUnit="hours")), '"countUnit": "days"'),
    (lifecycle(rule(count_type="imageCountMoreThan", countUnit="days")), "takes no countUnit"),
    (lifecycle({**rule(), "action": {"type": "delete"}}), 'not "delete"'),
    (lifecycle({**rule(), "action": {"type": "transition"}}), "targetStorageClass"),
    (lifecycle({"rulePriority": 1, "action": {"type": "expire"}}), "'selection' object"),
    (lifecycle(rule(1, "any"), rule(2)), 'tagStatus "any" must have the highest rulePriority'),
    (lifecycle(rule(count="MARK")).replace('"MARK"', "NaN"), "NaN is not a JSON value"),
    (lifecycle(rule(count="MARK")).replace('"MARK"', "-Infinity"), "-Infinity is not a JSON value"),
    (lifecycle(rule(count="MARK")).replace('"MARK"', "1e999"), "1e999 is too large"),
    (
        lifecycle(rule()).replace('"rulePriority"', '"rulePriority": 2, "rulePriority"'),
        'the key "rulePriority" is given twice',
    ),
    (
        lifecycle(rule(countNumbr=3)),
        "rule 1: selection: unknown property 'countNumbr'; did you mean 'countNumber'?",
    ),
    (lifecycle({**rule(), "comment": "keep"}), "rule 1: unknown property 'comment'"),
    (
        lifecycle({**rule(), "action": {"type": "expire", "after": 3}}),
        "rule 1: action: unknown property 'after'",
    ),
    (
        json.dumps({"rules": json.loads(lifecycle(rule()))["rules"], "version": 2}),
        "the lifecycle policy: unknown property 'version'",
    ),
]


@pytest.mark.parametrize(
    ("text", "fragment"), LIFECYCLE_PROBLEMS, ids=[f for _, f in LIFECYCLE_PROBLEMS]
)
def test_lifecycle_policy_problems(
    service: EcrService, repository: str, text: str, fragment: str
) -> None:
    problem = lifecycle_policy_problem(text)
    assert problem is not None and fragment in problem
    before = service.api_calls
    with pytest.raises(UserFacingError, match="Invalid lifecycle policy"):
        set_lifecycle_policy(service, repository, text)
    assert service.api_calls == before


@FAST
@given(
    st.lists(
        st.builds(
            rule,
            st.just(0),
            st.sampled_from(["tagged", "untagged"]),
            st.sampled_from(["sinceImagePushed", "imageCountMoreThan"]),
            st.integers(1, 10_000),
        ),
        min_size=1,
        max_size=6,
    ),
    st.permutations(range(1, 7)),
)
def test_well_formed_lifecycle_policies_pass(rules: list[dict[str, Any]], order: Any) -> None:
    for item, priority in zip(rules, order, strict=False):
        item["rulePriority"] = priority
        if item["selection"]["tagStatus"] == "tagged":
            item["selection"]["tagPrefixList"] = ["release-"]
    assert lifecycle_policy_problem(lifecycle(*rules)) is None


def test_preview_is_not_supported_by_moto(service: EcrService, repository: str) -> None:
    with pytest.raises(UserFacingError) as raised:
        preview_lifecycle_policy(service, repository, KEEP_TEN)
    assert raised.value.problem.title == "Preview not supported"
    assert raised.value.problem.detail == (
        "this endpoint cannot preview lifecycle policies; real ECR can"
    )


def test_preview_polls_until_complete(endpoint: str) -> None:
    # moto has no previews, so ECR's documented answers are played back by botocore's
    # Stubber, which checks every request and answer against the real API model.
    stubbed = EcrService(ConnectionSettings(endpoint_url=endpoint, region="us-east-1", demo=True))
    digest = "sha256:" + "a" * 64
    with Stubber(stubbed.ecr) as stubber:
        stubber.add_response(
            "start_lifecycle_policy_preview",
            {"repositoryName": "app", "status": "IN_PROGRESS"},
            {"repositoryName": "app", "lifecyclePolicyText": KEEP_TEN},
        )
        stubber.add_response("get_lifecycle_policy_preview", {"status": "IN_PROGRESS"})
        stubber.add_response("get_lifecycle_policy_preview", {"status": "COMPLETE"})
        stubber.add_response(
            "get_lifecycle_policy_preview",
            {
                "status": "COMPLETE",
                "previewResults": [
                    {
                        "imageDigest": digest,
                        "imageTags": ["dev-1"],
                        "appliedRulePriority": 1,
                        "action": {"type": "EXPIRE"},
                    }
                ],
                "summary": {"expiringImageTotalCount": 1},
            },
        )
        preview = preview_lifecycle_policy(stubbed, "app", KEEP_TEN, poll_seconds=0)
        stubber.assert_no_pending_responses()
    assert preview is not None
    assert preview.expiring_count == 1
    assert [(r.digest, r.tags, r.rule_priority, r.action) for r in preview.results] == [
        (digest, ("dev-1",), 1, "expire")
    ]


# -- retagging ----------------------------------------------------------------------------


def test_retag_adds_the_tag_to_the_same_digest(service: EcrService, repository: str) -> None:
    digest = push(service, repository, "v1")
    other = push(service, repository, "v2")
    retag_image(service, repository, digest, "stable")
    assert tags_by_digest(service, repository) == {digest: {"v1", "stable"}, other: {"v2"}}
    retag_image(service, repository, digest, "stable")  # already there: nothing to do
    # On a mutable repository the tag moves, and the image it left stays.
    retag_image(service, repository, other, "stable")
    assert tags_by_digest(service, repository) == {digest: {"v1"}, other: {"v2", "stable"}}


def test_retag_refuses_to_move_an_immutable_tag(service: EcrService) -> None:
    name = "admin/immutable"
    create_repository(service, NewRepository(name, tag_mutability="IMMUTABLE"))
    first = push(service, name, "v1")
    second = push(service, name, "v2")
    with pytest.raises(UserFacingError) as raised:
        retag_image(service, name, second, "v1")
    assert raised.value.problem.title == "Tag already exists"
    assert "immutable" in raised.value.problem.detail
    assert tags_by_digest(service, name) == {first: {"v1"}, second: {"v2"}}
    retag_image(service, name, second, "v2-final")  # a new tag is fine
    assert tags_by_digest(service, name)[second] == {"v2", "v2-final"}


def test_retag_missing_image(service: EcrService, repository: str) -> None:
    with pytest.raises(UserFacingError) as raised:
        retag_image(service, repository, MISSING_DIGEST, "v1")
    assert raised.value.problem.title == "Image not found"
    assert "no such image" in raised.value.problem.detail
