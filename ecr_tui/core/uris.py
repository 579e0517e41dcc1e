"""One parser for image references, from full ECR URIs down to a bare `repo:tag`.

Accepted forms, with an optional `https://` as pasted from a console:

* `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG][@sha256:DIGEST]`
* `ACCOUNT.dkr.ecr.REGION.amazonaws.com.cn/...` (China)
* `ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com/...` (FIPS)
* `ACCOUNT.dkr-ecr.REGION.on.aws/...` and `ACCOUNT.dkr-ecr-fips.REGION.on.aws/...`
  (dual-stack IPv4/IPv6)
* `HOST[:PORT]/REPO[:TAG][@DIGEST]` for any other registry, such as the local demo
* `REPO[:TAG][@DIGEST]` with no registry at all

Errors say which part is wrong, so the UI can point at it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace

from ecr_tui.core.names import digest_problem, image_tag_problem, repository_name_problem

# Regions per partition, as botocore 1.43's partitions.json lists them (2026). The
# isolated partitions (aws-iso*, aws-eusc) are left out: ECR URIs from them cannot be
# reached from the networks this app runs on.
COMMERCIAL_REGIONS: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)
CHINA_REGIONS: tuple[str, ...] = ("cn-north-1", "cn-northwest-1")
GOVCLOUD_REGIONS: tuple[str, ...] = ("us-gov-east-1", "us-gov-west-1")
KNOWN_REGIONS: tuple[str, ...] = COMMERCIAL_REGIONS + CHINA_REGIONS + GOVCLOUD_REGIONS

_ACCOUNT_ID = re.compile(r"\d{12}")
# Registry host labels that follow the account ID, and what they say about the endpoint.
_ENDPOINT_LABELS: dict[tuple[str, ...], tuple[bool, bool]] = {
    # labels: (fips, dual_stack)
    ("dkr", "ecr"): (False, False),
    ("dkr", "ecr-fips"): (True, False),
    ("dkr-ecr",): (False, True),
    ("dkr-ecr-fips",): (True, True),
}
_DUAL_STACK_DOMAIN = "on.aws"
# difflib's default: below this ratio a "did you mean" is more confusing than helpful.
_SUGGESTION_CUTOFF = 0.6
# A host in `name[:port]` form: DNS labels, an IPv4 address, or a bracketed IPv6 address.
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_CUSTOM_HOST = re.compile(
    rf"(?:\[[0-9A-Fa-f:.]+\]|{_HOST_LABEL}(?:\.{_HOST_LABEL})*)(?::\d{{1,5}})?"
)
_EXAMPLE_HOST = "ACCOUNT.dkr.ecr.REGION.amazonaws.com"


class ImageReferenceError(ValueError):
    """An image reference that cannot be used, and which part of it is to blame.

    `part` is one of "reference", "registry", "account", "region", "repository",
    "tag" or "digest", so the UI can highlight the right piece of the input.
    """

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to: "aws", "aws-cn" or "aws-us-gov"."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _standard_domain(region: str) -> str:
    """The DNS suffix of the IPv4-only endpoints in the region's partition."""
    return "amazonaws.com.cn" if partition_of(region) == "aws-cn" else "amazonaws.com"


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A parsed image reference; AWS fields are None for custom or bare references."""

    registry: str | None
    account_id: str | None
    region: str | None
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def repository_uri(self) -> str:
        """`registry/repository`, or just the repository when there is no registry."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def image_uri(self) -> str:
        """The reference in the form docker accepts: `registry/repo[:tag][@digest]`."""
        uri = self.repository_uri
        if self.tag:
            uri += f":{self.tag}"
        if self.digest:
            uri += f"@{self.digest}"
        return uri

    @property
    def partition(self) -> str | None:
        """The AWS partition of an ECR reference, None for other registries."""
        return partition_of(self.region) if self.region else None

    @property
    def is_ecr(self) -> bool:
        """True when the registry is an AWS ECR private registry."""
        return self.account_id is not None


def _check_account(account_id: str) -> None:
    """Raise unless `account_id` is 12 digits."""
    if _ACCOUNT_ID.fullmatch(account_id):
        return
    if account_id.isdigit():
        problem = f"has {len(account_id)} digits, needs 12"
    else:
        problem = "must be 12 digits"
    raise ImageReferenceError("account", f"account ID {account_id!r} {problem}")


def _check_region(region: str) -> str:
    """The region in lowercase; raise with the closest known region when it is unknown."""
    normalized = region.lower()
    if normalized in KNOWN_REGIONS:
        return normalized
    scores = {
        known: difflib.SequenceMatcher(None, normalized, known).ratio() for known in KNOWN_REGIONS
    }
    best = max(scores.values())
    # A typo can be equally close to two regions ('us-est-1'): offer both rather than guess.
    close = [repr(known) for known, score in scores.items() if score == best][:2]
    hint = f": did you mean {' or '.join(close)}?" if best >= _SUGGESTION_CUTOFF else ""
    raise ImageReferenceError("region", f"unknown region {region!r}{hint}")


def registry_host(
    account_id: str, region: str, *, fips: bool = False, dual_stack: bool = False
) -> str:
    """The ECR private registry host for an account and region.

    Raises ImageReferenceError for a bad account ID or region, or for FIPS in China,
    where AWS offers no FIPS endpoints.
    """
    _check_account(account_id)
    region = _check_region(region)
    if fips and partition_of(region) == "aws-cn":
        raise ImageReferenceError("region", f"there are no FIPS endpoints in {region}")
    suffix = "-fips" if fips else ""
    if dual_stack:
        return f"{account_id}.dkr-ecr{suffix}.{region}.{_DUAL_STACK_DOMAIN}"
    return f"{account_id}.dkr.ecr{suffix}.{region}.{_standard_domain(region)}"


def _looks_like_ecr(host: str) -> bool:
    """Whether the user meant an AWS ECR host, so that mistakes are reported, not accepted.

    A host with a port and no AWS domain (LocalStack's `...dkr.ecr...localstack.cloud:4566`,
    the demo's `127.0.0.1:5000`) is a custom registry even if it mentions dkr.ecr.
    """
    host = host.lower()
    if "amazonaws" in host or host.endswith(".on.aws"):
        return True
    has_port = re.search(r":\d+$", host) is not None
    return not has_port and any(marker in host for marker in ("dkr.ecr", "dkr-ecr"))


def _parse_ecr_host(host: str) -> tuple[str, str, str]:
    """Split and check an ECR host; return (normalized host, account ID, region)."""
    host = host.lower()  # DNS names are case-insensitive; ECR's are always shown lowercase
    if ":" in host:
        raise ImageReferenceError(
            "registry", f"ECR registry hosts take no port: remove {host[host.index(':') :]!r}"
        )
    labels = host.split(".")
    if labels[0] in ("dkr", "dkr-ecr", "dkr-ecr-fips", "ecr", "api"):
        raise ImageReferenceError(
            "account", f"the registry host is missing the account ID: expected {_EXAMPLE_HOST}"
        )
    account_id = labels[0]
    _check_account(account_id)
    matched = [e for e in _ENDPOINT_LABELS if tuple(labels[1 : 1 + len(e)]) == e]
    if not matched:
        found = ".".join(labels[1:3])
        raise ImageReferenceError(
            "registry",
            f"wrong domain: expected 'dkr.ecr' after the account ID, found {found!r} "
            f"(the host should be {_EXAMPLE_HOST})",
        )
    fips, dual_stack = _ENDPOINT_LABELS[matched[0]]
    rest = labels[1 + len(matched[0]) :]
    if not rest or rest[0] in ("amazonaws", "on"):
        raise ImageReferenceError(
            "region", f"the registry host is missing the region: expected {_EXAMPLE_HOST}"
        )
    region = _check_region(rest[0])
    domain = ".".join(rest[1:])
    expected = _DUAL_STACK_DOMAIN if dual_stack else _standard_domain(region)
    if domain != expected:
        raise ImageReferenceError(
            "registry",
            f"wrong domain {domain!r}: ECR hosts in {region} end in {expected!r}",
        )
    if fips and partition_of(region) == "aws-cn":
        raise ImageReferenceError("region", f"there are no FIPS endpoints in {region}")
    return host, account_id, region


def _split_registry(text: str) -> tuple[str | None, str]:
    """Split `[registry/]rest` the way docker does: the first path component is a
    registry host only if it has a '.' or a ':', or is `localhost`.

    Unlike docker, uppercase alone does not make it a host, so that `My/Repo` is
    reported as a repository name with uppercase letters.
    """
    first, slash, rest = text.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return None, text


def parse_image_reference(text: str) -> ImageReference:
    """Parse and check an image reference; raise ImageReferenceError naming the bad part."""
    text = text.strip()
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    text = text.rstrip("/")
    if not text:
        raise ImageReferenceError("reference", "an image reference is required")
    if "/" not in text and _looks_like_ecr(text):
        raise ImageReferenceError(
            "repository", "the repository name is missing: add '/REPOSITORY' after the host"
        )

    registry, rest = _split_registry(text)
    account_id = region = None
    if registry is not None:
        if _looks_like_ecr(registry):
            registry, account_id, region = _parse_ecr_host(registry)
        elif not _CUSTOM_HOST.fullmatch(registry):
            raise ImageReferenceError(
                "registry", f"registry host {registry!r} is not a valid HOST[:PORT]"
            )

    rest, at, digest = rest.partition("@")
    repository, colon, tag = rest.partition(":")
    problem = repository_name_problem(repository)
    if problem:
        raise ImageReferenceError("repository", f"repository name {repository!r}: {problem}")
    if colon:
        problem = image_tag_problem(tag)
        if problem:
            raise ImageReferenceError("tag", f"tag {tag!r}: {problem}")
    if at:
        problem = digest_problem(digest)
        if problem:
            raise ImageReferenceError("digest", f"digest {digest!r}: {problem}")
    return ImageReference(
        registry=registry,
        account_id=account_id,
        region=region,
        repository=repository,
        tag=tag or None,
        digest=digest or None,
    )


def image_uri(repository_uri: str, tag: str | None = None, digest: str | None = None) -> str:
    """`repository_uri:tag` and/or `@digest`, after checking all three.

    `repository_uri` is the repository's URI as DescribeRepositories reports it, with no
    tag or digest of its own.
    """
    reference = parse_image_reference(repository_uri)
    if reference.tag or reference.digest:
        raise ImageReferenceError(
            "repository",
            f"{repository_uri!r} already names an image: pass the repository URI alone",
        )
    if tag is not None:
        problem = image_tag_problem(tag)
        if problem:
            raise ImageReferenceError("tag", f"tag {tag!r}: {problem}")
    if digest is not None:
        problem = digest_problem(digest)
        if problem:
            raise ImageReferenceError("digest", f"digest {digest!r}: {problem}")
    return replace(reference, tag=tag, digest=digest).image_uri


def docker_pull_command(uri: str) -> str:
    """The `docker pull` command line for an image reference, normalized for docker
    (no `https://`, lowercase ECR host)."""
    return f"docker pull {parse_image_reference(uri).image_uri}"
