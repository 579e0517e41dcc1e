"""Repositories: create one (and validate the create form), count its images, delete it,
and change its tag mutability and scan-on-push settings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from ecr_tui.core.admin.common import check_repository, error_code
from ecr_tui.core.api_items import repository_from_api
from ecr_tui.core.ecr import PAGE_SIZE, EcrService
from ecr_tui.core.errors import UserFacingError
from ecr_tui.core.models import Repository
from ecr_tui.core.names import (
    kms_key_problem,
    repository_name_problem,
    resource_tag_key_problem,
    resource_tag_value_problem,
)

TagMutability = Literal[
    "MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"
]
TAG_MUTABILITIES: tuple[TagMutability, ...] = (
    "MUTABLE",
    "IMMUTABLE",
    "MUTABLE_WITH_EXCLUSION",
    "IMMUTABLE_WITH_EXCLUSION",
)
Encryption = Literal["AES256", "KMS"]
ENCRYPTIONS: tuple[Encryption, ...] = ("AES256", "KMS")

# Limits from the ECR API model (botocore's ecr/2015-09-21) and the AWS tagging rules.
MAX_EXCLUSION_FILTERS = 5
MAX_RESOURCE_TAGS = 50

_EXCLUSION_FILTER = re.compile(r"[0-9a-zA-Z._*-]{1,128}")

# -- creating a repository ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewRepository:
    """Everything CreateRepository takes, as the create dialog collects it."""

    name: str
    tag_mutability: TagMutability = "MUTABLE"
    exclusion_filters: tuple[str, ...] = ()  # wildcard tag filters, *_WITH_EXCLUSION only
    scan_on_push: bool = False
    encryption: Encryption = "AES256"
    kms_key: str | None = None  # None with KMS: ECR's AWS-managed key (aws/ecr)
    tags: tuple[tuple[str, str], ...] = ()  # resource tags, (key, value)


def split_list(text: str) -> tuple[str, ...]:
    """`a, b ,c` as ("a", "b", "c"): how the dialogs take short lists in one line."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def exclusion_filters_problem(mutability: str, filters: Sequence[str]) -> str | None:
    """What is wrong with these exclusion filters for `mutability`, or None."""
    if mutability not in TAG_MUTABILITIES:
        return f"unknown tag mutability {mutability!r}: use one of {', '.join(TAG_MUTABILITIES)}"
    if not mutability.endswith("_WITH_EXCLUSION"):
        if filters:
            return "exclusion filters apply only to the *_WITH_EXCLUSION settings"
        return None
    if not filters:
        return "give at least one tag filter, such as latest or dev-*"
    if len(filters) > MAX_EXCLUSION_FILTERS:
        return f"{len(filters)} filters: ECR takes at most {MAX_EXCLUSION_FILTERS}"
    for tag_filter in filters:
        if not _EXCLUSION_FILTER.fullmatch(tag_filter):
            return (
                f"filter {tag_filter!r}: use 1-128 letters, digits, '.', '_', '-' "
                "and '*' as the wildcard"
            )
    if len(set(filters)) != len(filters):
        return "a filter is listed twice"
    return None


def parse_resource_tags(text: str) -> tuple[tuple[str, str], ...]:
    """`key=value, key2=value2` as pairs; raise ValueError naming the item without '='.

    Commas cannot occur in AWS tag keys or values, so splitting on them is safe; the
    first '=' splits key from value because keys cannot hold '=' either in practice
    (values may: `expr=a=b` is key `expr`, value `a=b`).
    """
    pairs: list[tuple[str, str]] = []
    for item in split_list(text):
        key, equals, value = item.partition("=")
        if not equals:
            raise ValueError(f"{item!r} needs a value: write {item}=VALUE (or {item}= for none)")
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def resource_tags_problem(tags: Sequence[tuple[str, str]]) -> str | None:
    """What is wrong with these resource tags, or None."""
    if len(tags) > MAX_RESOURCE_TAGS:
        return f"{len(tags)} tags: AWS allows at most {MAX_RESOURCE_TAGS} on a repository"
    seen: set[str] = set()
    for key, value in tags:
        problem = resource_tag_key_problem(key)
        if problem:
            return f"tag key {key!r}: {problem}"
        problem = resource_tag_value_problem(value)
        if problem:
            return f"value of {key!r}: {problem}"
        if key in seen:
            return f"tag key {key!r} is given twice"
        seen.add(key)
    return None


def encryption_problem(encryption: str, kms_key: str | None) -> str | None:
    """What is wrong with this encryption setting, or None."""
    if encryption not in ENCRYPTIONS:
        return f"unknown encryption {encryption!r}: use AES256 or KMS"
    if kms_key is None:
        return None
    if encryption != "KMS":
        return "a KMS key only applies to KMS encryption"
    return kms_key_problem(kms_key)


def new_repository_problems(spec: NewRepository) -> dict[str, str]:
    """Every problem of `spec`, keyed by its field name; empty when ECR may be asked."""
    problems = {
        "name": repository_name_problem(spec.name),
        "exclusion_filters": exclusion_filters_problem(spec.tag_mutability, spec.exclusion_filters),
        "kms_key": encryption_problem(spec.encryption, spec.kms_key),
        "tags": resource_tags_problem(spec.tags),
    }
    return {field: problem for field, problem in problems.items() if problem}


def _exclusion_filters_api(filters: Sequence[str]) -> list[dict[str, str]]:
    return [{"filterType": "WILDCARD", "filter": tag_filter} for tag_filter in filters]


def create_repository(service: EcrService, spec: NewRepository) -> Repository:
    """Create a repository as `spec` says; the repository ECR reports back."""
    problems = new_repository_problems(spec)
    if problems:
        field, problem = next(iter(problems.items()))
        raise UserFacingError("Cannot create repository", f"{field.replace('_', ' ')}: {problem}")
    request: dict[str, Any] = {
        "repositoryName": spec.name,
        "imageTagMutability": spec.tag_mutability,
        "imageScanningConfiguration": {"scanOnPush": spec.scan_on_push},
        "encryptionConfiguration": {"encryptionType": spec.encryption},
    }
    if spec.exclusion_filters:
        request["imageTagMutabilityExclusionFilters"] = _exclusion_filters_api(
            spec.exclusion_filters
        )
    if spec.kms_key:
        request["encryptionConfiguration"]["kmsKey"] = spec.kms_key
    if spec.tags:
        request["tags"] = [{"Key": key, "Value": value} for key, value in spec.tags]
    try:
        answer = service.ecr.create_repository(**request)
    except ClientError as error:
        if error_code(error) == "RepositoryAlreadyExistsException":
            raise UserFacingError(
                "Repository already exists", f"{spec.name!r} exists already: pick another name."
            ) from error
        raise
    return repository_from_api(answer["repository"])


# -- deleting -----------------------------------------------------------------------------


def count_images(service: EcrService, name: str) -> int:
    """How many images (distinct digests) the repository holds, tagged or not."""
    check_repository(name, "Cannot count images")
    paginator = service.ecr.get_paginator("list_images")
    digests: set[str] = set()
    # ListImages has one entry per tag: count digests, or a 3-tag image counts 3 times.
    for page in paginator.paginate(repositoryName=name, PaginationConfig={"PageSize": PAGE_SIZE}):
        digests.update(
            item["imageDigest"] for item in page.get("imageIds", []) if "imageDigest" in item
        )
    return len(digests)


def delete_repository(service: EcrService, name: str, force: bool) -> None:
    """Delete a repository; `force` also deletes the images it still holds."""
    check_repository(name, "Cannot delete repository")
    try:
        service.ecr.delete_repository(repositoryName=name, force=force)
    except ClientError as error:
        if error_code(error) == "RepositoryNotEmptyException":
            raise UserFacingError(
                "Repository is not empty",
                f"{name} still holds images: delete them first, or delete with force.",
            ) from error
        raise


# -- settings -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TagMutabilitySetting:
    """A repository's tag mutability with its exclusion filters (wildcard tag patterns)."""

    mutability: TagMutability
    exclusion_filters: tuple[str, ...] = ()

    def __str__(self) -> str:
        filters = f" ({', '.join(self.exclusion_filters)})" if self.exclusion_filters else ""
        return self.mutability + filters


_OPPOSITE: dict[TagMutability, TagMutability] = {
    "MUTABLE": "IMMUTABLE",
    "IMMUTABLE": "MUTABLE",
    "MUTABLE_WITH_EXCLUSION": "IMMUTABLE_WITH_EXCLUSION",
    "IMMUTABLE_WITH_EXCLUSION": "MUTABLE_WITH_EXCLUSION",
}
_OPPOSITE_WITHOUT_FILTERS: dict[TagMutability, TagMutability] = {
    "MUTABLE_WITH_EXCLUSION": "IMMUTABLE",
    "IMMUTABLE_WITH_EXCLUSION": "MUTABLE",
}


def get_tag_mutability(service: EcrService, repository: str) -> TagMutabilitySetting:
    """The repository's tag mutability and exclusion filters, as ECR has them now."""
    check_repository(repository, "Cannot read tag mutability")
    answer = service.ecr.describe_repositories(repositoryNames=[repository])
    item: Any = answer["repositories"][0]
    mutability = item.get("imageTagMutability") or "MUTABLE"
    if mutability not in TAG_MUTABILITIES:
        raise UserFacingError(
            "Unknown tag mutability",
            f"ECR reports {mutability!r} for {repository}, which this version of ecr-tui "
            "does not know: change it in the console or with the AWS CLI.",
        )
    filters = item.get("imageTagMutabilityExclusionFilters") or []
    return TagMutabilitySetting(mutability, tuple(str(f.get("filter", "")) for f in filters))


def toggled_tag_mutability(current: TagMutabilitySetting) -> TagMutabilitySetting:
    """The opposite setting: MUTABLE <-> IMMUTABLE, and the *_WITH_EXCLUSION pair likewise,
    keeping the exclusion filters (which then name the tags that stay as they were).

    Exclusion filters that ECR did not report cannot be kept: then the plain opposite,
    without filters, is all that can be set (the caller must say that they go).
    """
    if current.mutability.endswith("_WITH_EXCLUSION") and not current.exclusion_filters:
        return TagMutabilitySetting(_OPPOSITE_WITHOUT_FILTERS[current.mutability])
    return TagMutabilitySetting(_OPPOSITE[current.mutability], current.exclusion_filters)


def set_tag_mutability(
    service: EcrService,
    repository: str,
    mutability: TagMutability,
    exclusion_filters: Sequence[str] = (),
) -> None:
    """Make tags mutable or immutable, with exclusion filters for the *_WITH_EXCLUSION kinds."""
    check_repository(repository, "Cannot change tag mutability")
    problem = exclusion_filters_problem(mutability, exclusion_filters)
    if problem:
        raise UserFacingError("Cannot change tag mutability", problem)
    request: dict[str, Any] = {"repositoryName": repository, "imageTagMutability": mutability}
    if exclusion_filters:
        request["imageTagMutabilityExclusionFilters"] = _exclusion_filters_api(exclusion_filters)
    service.ecr.put_image_tag_mutability(**request)


def set_scan_on_push(service: EcrService, repository: str, enabled: bool) -> None:
    """Turn basic scanning on push on or off."""
    check_repository(repository, "Cannot change scan on push")
    service.ecr.put_image_scanning_configuration(
        repositoryName=repository, imageScanningConfiguration={"scanOnPush": enabled}
    )
