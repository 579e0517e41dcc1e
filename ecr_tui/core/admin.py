"""Repository administration: create and delete, images, scans, tags and the two policies.

Like `ecr.py`, every call blocks and is meant for a worker thread, and nothing
here knows about Textual. Each function checks its input (with `names.py` and
the policy validators below) before its first request, so bad input never
reaches AWS and a refused change leaves nothing half done. Failures that a
user can act on come back as `UserFacingError`; any other AWS error is left to
`explain_error`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from botocore.exceptions import BotoCoreError, ClientError

from ecr_tui.core.ecr import PAGE_SIZE, EcrService, repository_from_api, timestamp
from ecr_tui.core.errors import UserFacingError, explain_error
from ecr_tui.core.models import Repository, ScanState
from ecr_tui.core.names import (
    digest_problem,
    image_tag_problem,
    kms_key_problem,
    repository_name_problem,
    resource_tag_key_problem,
    resource_tag_value_problem,
)

if TYPE_CHECKING:
    from mypy_boto3_ecr.type_defs import ImageIdentifierTypeDef

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
BATCH_DELETE_LIMIT = 100  # BatchDeleteImage takes at most 100 image ids
REPOSITORY_POLICY_MAX = 10_240
LIFECYCLE_POLICY_MAX = 30_720
LIFECYCLE_PREVIEW_PAGE = 100  # GetLifecyclePolicyPreview's largest page
MAX_PATTERN_WILDCARDS = 4  # per tagPatternList entry, as ECR documents

_EXCLUSION_FILTER = re.compile(r"[0-9a-zA-Z._*-]{1,128}")

# The names of the functions below that change something in ECR, for a read-only
# mode to refuse. start_scan counts: it spends the image's one scan a day and IAM
# classes StartImageScan as a write. A lifecycle preview changes nothing and is
# left out, so a read-only user can still try a policy.
MUTATING_OPERATIONS: frozenset[str] = frozenset(
    {
        "create_repository",
        "delete_repository",
        "delete_images",
        "set_tag_mutability",
        "set_scan_on_push",
        "start_scan",
        "set_repository_policy",
        "delete_repository_policy",
        "set_lifecycle_policy",
        "delete_lifecycle_policy",
        "retag_image",
    }
)


def is_mutating(operation: str) -> bool:
    """True when the function of this module named `operation` changes ECR."""
    return operation in MUTATING_OPERATIONS


# -- small helpers ------------------------------------------------------------------------


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _short(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]


def _check_repository(name: str, title: str) -> None:
    problem = repository_name_problem(name)
    if problem:
        raise UserFacingError(title, f"repository name {name!r}: {problem}")


def _check_digest(digest: str, title: str) -> None:
    problem = digest_problem(digest)
    if problem:
        raise UserFacingError(title, f"digest {digest!r}: {problem}")


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
        if _error_code(error) == "RepositoryAlreadyExistsException":
            raise UserFacingError(
                "Repository already exists", f"{spec.name!r} exists already: pick another name."
            ) from error
        raise
    return repository_from_api(answer["repository"])


# -- deleting -----------------------------------------------------------------------------


def count_images(service: EcrService, name: str) -> int:
    """How many images (distinct digests) the repository holds, tagged or not."""
    _check_repository(name, "Cannot count images")
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
    _check_repository(name, "Cannot delete repository")
    try:
        service.ecr.delete_repository(repositoryName=name, force=force)
    except ClientError as error:
        if _error_code(error) == "RepositoryNotEmptyException":
            raise UserFacingError(
                "Repository is not empty",
                f"{name} still holds images: delete them first, or delete with force.",
            ) from error
        raise


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image as ECR's `imageId` names it: by digest, by tag, or both."""

    digest: str | None = None
    tag: str | None = None

    @property
    def label(self) -> str:
        """How messages name the image: `tag`, `sha256 prefix`, or `tag@prefix`."""
        if self.tag and self.digest:
            return f"{self.tag}@{_short(self.digest)}"
        return self.tag or _short(self.digest or "") or "(no digest or tag)"

    def problem(self) -> str | None:
        """What is wrong with this reference, or None."""
        if self.digest is None and self.tag is None:
            return "give a digest or a tag"
        if self.digest is not None and (problem := digest_problem(self.digest)):
            return f"digest {self.digest!r}: {problem}"
        if self.tag is not None and (problem := image_tag_problem(self.tag)):
            return f"tag {self.tag!r}: {problem}"
        return None

    def as_api(self) -> ImageIdentifierTypeDef:
        """The reference as ECR's `imageId`."""
        image_id: ImageIdentifierTypeDef = {}
        if self.digest is not None:
            image_id["imageDigest"] = self.digest
        if self.tag is not None:
            image_id["imageTag"] = self.tag
        return image_id

    @classmethod
    def from_api(cls, image_id: Mapping[str, Any]) -> ImageRef:
        """The reference for one of ECR's `imageId`s."""
        return cls(digest=image_id.get("imageDigest"), tag=image_id.get("imageTag"))


# ECR's ImageFailureCode values in plain words.
_FAILURE_WORDS: dict[str, str] = {
    "InvalidImageDigest": "not a valid image digest",
    "InvalidImageTag": "not a valid image tag",
    "ImageTagDoesNotMatchDigest": "that tag is not on that digest",
    "ImageNotFound": "no such image (it may be deleted already)",
    "MissingDigestAndTag": "neither a digest nor a tag was given",
    "ImageReferencedByManifestList": (
        "a multi-platform image (manifest list) still refers to it: delete that one first"
    ),
    "KmsError": "KMS refused to decrypt it",
    "UpstreamAccessDenied": "the upstream registry refused access",
    "UpstreamTooManyRequests": "the upstream registry is rate limiting",
    "UpstreamUnavailable": "the upstream registry is unavailable",
    "ImageInaccessible": "the image cannot be reached",
}


def _failure_in_words(code: str, reason: str) -> str:
    words = _FAILURE_WORDS.get(code)
    if words is None:
        return reason or code
    return f"{words} (ECR: {reason})" if reason else words


@dataclass(frozen=True, slots=True)
class DeleteFailure:
    """One image ECR did not delete, with its reason."""

    image: ImageRef
    code: str  # ECR's failureCode, or "NotAttempted" when an earlier batch failed
    reason: str  # ECR's failureReason, as it said it

    @property
    def explanation(self) -> str:
        """The failure in plain words, ECR's own words after them."""
        return _failure_in_words(self.code, self.reason)


@dataclass(frozen=True, slots=True)
class DeleteOutcome:
    """What a batch delete did, image by image."""

    repository: str
    deleted: tuple[ImageRef, ...]
    failures: tuple[DeleteFailure, ...]

    @property
    def summary(self) -> str:
        """One line for a notification: how many went, and why others did not."""
        text = f"deleted {len(self.deleted)} from {self.repository}"
        if self.failures:
            reasons = "; ".join(f"{f.image.label}: {f.explanation}" for f in self.failures[:3])
            more = f" and {len(self.failures) - 3} more" if len(self.failures) > 3 else ""
            text += f"; {len(self.failures)} failed ({reasons}{more})"
        return text


def delete_images(
    service: EcrService, repository: str, images: Sequence[ImageRef]
) -> DeleteOutcome:
    """Delete images by digest or tag, 100 a request as ECR allows.

    Deleting by tag only removes that tag; ECR deletes the image with its last tag.
    When a later batch fails as a whole, the images it and the ones after it held are
    reported as not attempted, so the outcome always says exactly what was deleted.
    """
    _check_repository(repository, "Cannot delete images")
    wanted = list(dict.fromkeys(images))  # the same id twice in one batch is refused
    for image in wanted:
        problem = image.problem()
        if problem:
            raise UserFacingError("Cannot delete images", problem)
    deleted: list[ImageRef] = []
    failures: list[DeleteFailure] = []
    for start in range(0, len(wanted), BATCH_DELETE_LIMIT):
        batch = wanted[start : start + BATCH_DELETE_LIMIT]
        try:
            answer = service.ecr.batch_delete_image(
                repositoryName=repository, imageIds=[image.as_api() for image in batch]
            )
        except (ClientError, BotoCoreError) as error:
            if start == 0:
                raise  # nothing was deleted: the error alone says it all
            explained = explain_error(error)
            failures.extend(
                DeleteFailure(image, "NotAttempted", f"{explained.title}: {explained.detail}")
                for image in wanted[start:]
            )
            break
        batch_failures = [
            DeleteFailure(
                ImageRef.from_api(item.get("imageId", {})),
                str(item.get("failureCode", "")),
                str(item.get("failureReason", "")),
            )
            for item in answer.get("failures", [])
        ]
        failures.extend(batch_failures)
        # ECR answers every id asked for, as deleted or as failed (echoing the id as
        # sent). The deleted list is read as "the rest" rather than from `imageIds`,
        # which lists one entry per removed tag, and which moto leaves empty for
        # untagged images.
        failed = {failure.image for failure in batch_failures}
        deleted.extend(image for image in batch if image not in failed)
    return DeleteOutcome(repository, tuple(deleted), tuple(failures))


# -- settings and scans -------------------------------------------------------------------


def set_tag_mutability(
    service: EcrService,
    repository: str,
    mutability: TagMutability,
    exclusion_filters: Sequence[str] = (),
) -> None:
    """Make tags mutable or immutable, with exclusion filters for the *_WITH_EXCLUSION kinds."""
    _check_repository(repository, "Cannot change tag mutability")
    problem = exclusion_filters_problem(mutability, exclusion_filters)
    if problem:
        raise UserFacingError("Cannot change tag mutability", problem)
    request: dict[str, Any] = {"repositoryName": repository, "imageTagMutability": mutability}
    if exclusion_filters:
        request["imageTagMutabilityExclusionFilters"] = _exclusion_filters_api(exclusion_filters)
    service.ecr.put_image_tag_mutability(**request)


def set_scan_on_push(service: EcrService, repository: str, enabled: bool) -> None:
    """Turn basic scanning on push on or off."""
    _check_repository(repository, "Cannot change scan on push")
    service.ecr.put_image_scanning_configuration(
        repositoryName=repository, imageScanningConfiguration={"scanOnPush": enabled}
    )


def start_scan(service: EcrService, repository: str, digest: str) -> ScanState:
    """Start a basic scan of one image; the state ECR reports right after."""
    _check_repository(repository, "Cannot scan")
    _check_digest(digest, "Cannot scan")
    try:
        answer = service.ecr.start_image_scan(
            repositoryName=repository, imageId={"imageDigest": digest}
        )
    except ClientError as error:
        code = _error_code(error)
        if code == "LimitExceededException":
            raise UserFacingError(
                "Scan limit reached",
                f"ECR scans an image once every 24 hours, and {_short(digest)} was scanned "
                "less than a day ago: its last results stay shown; try again tomorrow.",
            ) from error
        if code == "UnsupportedImageTypeException":
            raise UserFacingError(
                "Cannot scan this image",
                "basic scanning only reads container images of supported operating systems.",
            ) from error
        if code == "ValidationException":
            # Real ECR's answer when the registry uses enhanced scanning.
            message = str(error.response.get("Error", {}).get("Message", "")).rstrip(".")
            raise UserFacingError(
                "Manual scans are off",
                f"ECR said: {message}. With enhanced scanning (Amazon Inspector) images are "
                "scanned continuously and cannot be scanned by hand.",
            ) from error
        raise
    return ScanState.parse(answer.get("imageScanStatus", {}).get("status"))


# -- validating policies ------------------------------------------------------------------


class _PolicyError(ValueError):
    """The first problem found in a policy document."""


def _load_json_object(text: str, what: str, limit: int) -> dict[str, Any]:
    if not text.strip():
        raise _PolicyError(f"the {what} is empty")
    if len(text) > limit:
        raise _PolicyError(f"too long: {len(text):,} characters, ECR allows {limit:,}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _PolicyError(
            f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(document, dict):
        raise _PolicyError(f"the {what} must be a JSON object ({{...}}), not {_kind(document)}")
    return document


def _kind(value: object) -> str:
    """How messages name a JSON value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a number"


def _is_int(value: object) -> TypeGuard[int]:
    # JSON true/false load as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)


def _string_list(value: object, where: str, field: str) -> list[str]:
    """A string or a non-empty list of strings, as a list; IAM allows both forms."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise _PolicyError(f"{where}: '{field}' must be a string or a non-empty list of strings")
    for item in items:
        if not isinstance(item, str) or not item:
            raise _PolicyError(f"{where}: '{field}' holds {_kind(item)}; use non-empty strings")
    return items


_POLICY_VERSIONS = ("2012-10-17", "2008-10-17")


def _check_statement(statement: object, index: int) -> None:
    where = f"statement {index}"
    if not isinstance(statement, dict):
        raise _PolicyError(f"{where} must be an object, not {_kind(statement)}")
    if isinstance(statement.get("Sid"), str) and statement["Sid"]:
        where += f" ({statement['Sid']})"
    effect = statement.get("Effect")
    if effect is None:
        raise _PolicyError(f'{where} has no \'Effect\': use "Allow" or "Deny"')
    if effect not in ("Allow", "Deny"):
        raise _PolicyError(
            f'{where}: \'Effect\' must be "Allow" or "Deny", not {json.dumps(effect)}'
        )
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise _PolicyError(
            f"{where} has no 'Principal': a repository policy must say whom it applies to, "
            'e.g. {"AWS": "arn:aws:iam::123456789012:root"}'
        )
    fields = [field for field in ("Action", "NotAction") if field in statement]
    if not fields:
        raise _PolicyError(f"{where} has no 'Action': list the ecr: actions it covers")
    if len(fields) == 2:
        raise _PolicyError(f"{where} has both 'Action' and 'NotAction': keep one")
    for action in _string_list(statement[fields[0]], where, fields[0]):
        # IAM matches action names case-insensitively: "ECR:BatchGetImage" is valid.
        if action != "*" and not (action.lower().startswith("ecr:") and len(action) > 4):
            raise _PolicyError(
                f"{where}: {action!r} is not an ECR action; a repository policy only takes "
                'actions starting with "ecr:" (or "*")'
            )


def _check_repository_policy(text: str) -> None:
    document = _load_json_object(text, "policy", REPOSITORY_POLICY_MAX)
    version = document.get("Version")
    if version is None:
        raise _PolicyError('\'Version\' is missing: add "Version": "2012-10-17"')
    if version not in _POLICY_VERSIONS:
        raise _PolicyError(f"'Version' must be \"2012-10-17\", not {json.dumps(version)}")
    if "Statement" not in document:
        raise _PolicyError("'Statement' is missing: add a list of statements")
    statements = document["Statement"]
    if isinstance(statements, dict):  # IAM accepts a lone statement object too
        statements = [statements]
    if not isinstance(statements, list):
        raise _PolicyError(f"'Statement' must be a list of statements, not {_kind(statements)}")
    if not statements:
        raise _PolicyError("'Statement' is empty: add at least one statement")
    for index, statement in enumerate(statements, start=1):
        _check_statement(statement, index)


def repository_policy_problem(text: str) -> str | None:
    """What is wrong with `text` as a repository policy, or None if ECR may be sent it.

    Checks the shape ECR insists on (JSON, Version, a non-empty Statement list, each
    statement with Effect, Principal and ecr: actions), not the IAM semantics.
    """
    try:
        _check_repository_policy(text)
    except _PolicyError as error:
        return str(error)
    return None


_TAG_STATUSES = ("tagged", "untagged", "any")
# ECR's archive storage class added the last two count types and the transition action.
_AGE_COUNT_TYPES = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
_COUNT_TYPES = ("imageCountMoreThan", *_AGE_COUNT_TYPES)
_STORAGE_CLASSES = ("standard", "archive")
_ACTION_TYPES = ("expire", "transition")


def _check_tag_lists(selection: dict[str, Any], where: str) -> None:
    lists = [field for field in ("tagPrefixList", "tagPatternList") if field in selection]
    status = selection["tagStatus"]
    if status == "tagged" and not lists:
        raise _PolicyError(
            f'{where}: tagStatus "tagged" needs a tagPatternList (e.g. ["prod*"]) '
            "or a tagPrefixList"
        )
    if status == "untagged" and lists:
        raise _PolicyError(f'{where}: tagStatus "untagged" takes no {lists[0]}')
    for field in lists:
        entries = selection[field]
        if not isinstance(entries, list) or not entries:
            raise _PolicyError(f"{where}: {field} must be a non-empty list of strings")
        for entry in entries:
            if not isinstance(entry, str) or not entry:
                raise _PolicyError(f"{where}: {field} holds {_kind(entry)}; use strings")
            if field == "tagPatternList" and entry.count("*") > MAX_PATTERN_WILDCARDS:
                raise _PolicyError(
                    f"{where}: pattern {entry!r} has {entry.count('*')} '*', "
                    f"ECR allows {MAX_PATTERN_WILDCARDS}"
                )


def _check_selection(selection: object, where: str) -> None:
    if not isinstance(selection, dict):
        raise _PolicyError(f"{where} needs a 'selection' object")
    status = selection.get("tagStatus")
    if status not in _TAG_STATUSES:
        raise _PolicyError(
            f'{where}: selection.tagStatus must be "tagged", "untagged" or "any", '
            f"not {json.dumps(status)}"
        )
    _check_tag_lists(selection, where)
    if "storageClass" in selection and selection["storageClass"] not in _STORAGE_CLASSES:
        raise _PolicyError(f'{where}: selection.storageClass must be "standard" or "archive"')
    count_type = selection.get("countType")
    if count_type not in _COUNT_TYPES:
        raise _PolicyError(
            f'{where}: selection.countType must be "imageCountMoreThan" or '
            f'"sinceImagePushed", not {json.dumps(count_type)}'
        )
    number = selection.get("countNumber")
    if not _is_int(number) or number < 1:
        raise _PolicyError(
            f"{where}: selection.countNumber must be a whole number above 0, "
            f"not {json.dumps(number)}"
        )
    unit = selection.get("countUnit")
    if count_type in _AGE_COUNT_TYPES and unit != "days":
        raise _PolicyError(f'{where}: countType "{count_type}" needs "countUnit": "days"')
    if count_type == "imageCountMoreThan" and unit is not None:
        raise _PolicyError(f'{where}: countType "imageCountMoreThan" takes no countUnit')


def _check_action(action: object, where: str) -> None:
    if not isinstance(action, dict):
        raise _PolicyError(f'{where} needs an \'action\' object: {{"type": "expire"}}')
    kind = action.get("type")
    if kind not in _ACTION_TYPES:
        raise _PolicyError(f'{where}: action.type must be "expire", not {json.dumps(kind)}')
    if kind == "transition" and action.get("targetStorageClass") != "archive":
        raise _PolicyError(f'{where}: a transition needs "targetStorageClass": "archive"')


def _check_lifecycle_policy(text: str) -> None:
    document = _load_json_object(text, "lifecycle policy", LIFECYCLE_POLICY_MAX)
    rules = document.get("rules")
    if rules is None:
        raise _PolicyError("'rules' is missing: add a list of rules")
    if not isinstance(rules, list) or not rules:
        raise _PolicyError("'rules' must be a non-empty list of rules")
    priorities: dict[int, int] = {}  # rulePriority -> rule number
    any_rule: tuple[int, int] | None = None  # (rule number, priority) of a tagStatus "any"
    for index, rule in enumerate(rules, start=1):
        where = f"rule {index}"
        if not isinstance(rule, dict):
            raise _PolicyError(f"{where} must be an object, not {_kind(rule)}")
        priority = rule.get("rulePriority")
        if not _is_int(priority) or priority < 1:
            raise _PolicyError(
                f"{where}: rulePriority must be a whole number from 1, not {json.dumps(priority)}"
            )
        if priority in priorities:
            raise _PolicyError(
                f"{where}: rulePriority {priority} is already used by rule "
                f"{priorities[priority]}; each rule needs its own"
            )
        priorities[priority] = index
        if "description" in rule and not isinstance(rule["description"], str):
            raise _PolicyError(f"{where}: description must be a string")
        _check_selection(rule.get("selection"), where)
        _check_action(rule.get("action"), where)
        if rule["selection"]["tagStatus"] == "any":
            any_rule = (index, priority)
    if any_rule is not None and any_rule[1] != max(priorities):
        raise _PolicyError(
            f'rule {any_rule[0]}: a rule with tagStatus "any" must have the highest '
            f"rulePriority (ECR evaluates it last), not {any_rule[1]}"
        )


def lifecycle_policy_problem(text: str) -> str | None:
    """What is wrong with `text` as a lifecycle policy, or None if ECR may be sent it."""
    try:
        _check_lifecycle_policy(text)
    except _PolicyError as error:
        return str(error)
    return None


# -- repository policy --------------------------------------------------------------------


def get_repository_policy(service: EcrService, repository: str) -> str | None:
    """The repository policy's text, or None when the repository has none."""
    _check_repository(repository, "Cannot read the policy")
    try:
        answer = service.ecr.get_repository_policy(repositoryName=repository)
    except ClientError as error:
        if _error_code(error) == "RepositoryPolicyNotFoundException":
            return None
        raise
    return answer.get("policyText")


def set_repository_policy(service: EcrService, repository: str, text: str) -> None:
    """Replace the repository policy, once `text` passes `repository_policy_problem`."""
    _check_repository(repository, "Cannot set the policy")
    problem = repository_policy_problem(text)
    if problem:
        raise UserFacingError("Invalid repository policy", problem)
    service.ecr.set_repository_policy(repositoryName=repository, policyText=text)


def delete_repository_policy(service: EcrService, repository: str) -> bool:
    """Remove the repository policy; False when there was none (nothing to do)."""
    _check_repository(repository, "Cannot delete the policy")
    try:
        service.ecr.delete_repository_policy(repositoryName=repository)
    except ClientError as error:
        if _error_code(error) == "RepositoryPolicyNotFoundException":
            return False
        raise
    return True


# -- lifecycle policy ---------------------------------------------------------------------


def get_lifecycle_policy(service: EcrService, repository: str) -> str | None:
    """The lifecycle policy's text, or None when the repository has none."""
    _check_repository(repository, "Cannot read the lifecycle policy")
    try:
        answer = service.ecr.get_lifecycle_policy(repositoryName=repository)
    except ClientError as error:
        if _error_code(error) == "LifecyclePolicyNotFoundException":
            return None
        raise
    return answer.get("lifecyclePolicyText")


def set_lifecycle_policy(service: EcrService, repository: str, text: str) -> None:
    """Replace the lifecycle policy, once `text` passes `lifecycle_policy_problem`."""
    _check_repository(repository, "Cannot set the lifecycle policy")
    problem = lifecycle_policy_problem(text)
    if problem:
        raise UserFacingError("Invalid lifecycle policy", problem)
    service.ecr.put_lifecycle_policy(repositoryName=repository, lifecyclePolicyText=text)


def delete_lifecycle_policy(service: EcrService, repository: str) -> bool:
    """Remove the lifecycle policy; False when there was none (nothing to do)."""
    _check_repository(repository, "Cannot delete the lifecycle policy")
    try:
        service.ecr.delete_lifecycle_policy(repositoryName=repository)
    except ClientError as error:
        if _error_code(error) == "LifecyclePolicyNotFoundException":
            return False
        raise
    return True


@dataclass(frozen=True, slots=True)
class LifecyclePreviewResult:
    """One image the previewed policy would act on."""

    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime | None
    rule_priority: int  # the rule that selected it
    action: str  # "expire" or "transition"


@dataclass(frozen=True, slots=True)
class LifecyclePreview:
    """What a lifecycle policy would do to a repository today."""

    repository: str
    results: tuple[LifecyclePreviewResult, ...]
    expiring_count: int


# How endpoints without the operation answer: moto with an HTML error page (botocore
# then names the HTTP status as the code), others with one of these codes. ECR's own
# ServerException is a real failure, not one of them.
_UNSUPPORTED_CODES = frozenset(
    {
        "500",
        "501",
        "NotImplemented",
        "NotImplementedException",
        "UnknownOperationException",
        "InvalidAction",
    }
)


def _is_unsupported(error: ClientError) -> bool:
    return _error_code(error) in _UNSUPPORTED_CODES


def preview_lifecycle_policy(
    service: EcrService,
    repository: str,
    text: str,
    *,
    timeout: float = 120.0,
    poll_seconds: float = 2.0,
    is_cancelled: Callable[[], bool] = lambda: False,
) -> LifecyclePreview | None:
    """Ask ECR which images `text` would act on; None when cancelled while waiting.

    ECR computes previews in the background: this polls every `poll_seconds` until
    the preview is COMPLETE and gives up after `timeout` seconds.
    """
    _check_repository(repository, "Cannot preview")
    problem = lifecycle_policy_problem(text)
    if problem:
        raise UserFacingError("Invalid lifecycle policy", problem)
    try:
        service.ecr.start_lifecycle_policy_preview(
            repositoryName=repository, lifecyclePolicyText=text
        )
    except ClientError as error:
        if _is_unsupported(error):
            raise UserFacingError(
                "Preview not supported",
                "this endpoint cannot preview lifecycle policies; real ECR can",
            ) from error
        if _error_code(error) == "LifecyclePolicyPreviewInProgressException":
            raise UserFacingError(
                "Preview already running",
                f"ECR is still previewing a policy for {repository}: try again in a minute.",
            ) from error
        raise
    deadline = time.monotonic() + timeout
    while True:
        if is_cancelled():
            return None
        status = service.ecr.get_lifecycle_policy_preview(
            repositoryName=repository, maxResults=1
        ).get("status")
        if status != "IN_PROGRESS":
            break
        if time.monotonic() >= deadline:
            raise UserFacingError(
                "Preview timed out",
                f"ECR did not finish the preview within {timeout:.0f} s: try again later.",
            )
        time.sleep(poll_seconds)
    if status != "COMPLETE":
        raise UserFacingError(
            "Preview failed", f"ECR reports the preview as {status}: start it again."
        )
    results: list[LifecyclePreviewResult] = []
    expiring = 0
    paginator = service.ecr.get_paginator("get_lifecycle_policy_preview")
    pages = paginator.paginate(
        repositoryName=repository, PaginationConfig={"PageSize": LIFECYCLE_PREVIEW_PAGE}
    )
    for page in pages:
        if is_cancelled():
            return None
        expiring = page.get("summary", {}).get("expiringImageTotalCount", expiring)
        results.extend(
            LifecyclePreviewResult(
                digest=item.get("imageDigest", ""),
                tags=tuple(item.get("imageTags", ())),
                pushed_at=timestamp(item.get("imagePushedAt")),
                rule_priority=int(item.get("appliedRulePriority", 0)),
                action=str(item.get("action", {}).get("type", "EXPIRE")).lower(),
            )
            for item in page.get("previewResults", [])
        )
    return LifecyclePreview(repository, tuple(results), expiring)


# -- retagging ----------------------------------------------------------------------------

# Every manifest kind ECR stores for container images: asking for all of them makes
# BatchGetImage hand back the manifest exactly as pushed, never a converted one.
MANIFEST_MEDIA_TYPES: tuple[str, ...] = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
)


def _immutable_tag_error(repository: str, tag: str) -> UserFacingError:
    return UserFacingError(
        "Tag already exists",
        f"{tag!r} already names another image in {repository}, and its tags are "
        "immutable, so an existing tag cannot be moved: use a new tag.",
    )


def _digest_of_tag(service: EcrService, repository: str, tag: str) -> str | None:
    try:
        answer = service.ecr.describe_images(
            repositoryName=repository, imageIds=[{"imageTag": tag}]
        )
    except ClientError as error:
        if _error_code(error) == "ImageNotFoundException":
            return None
        raise
    details = answer.get("imageDetails", [])
    return details[0].get("imageDigest") if details else None


def retag_image(service: EcrService, repository: str, digest: str, new_tag: str) -> None:
    """Add `new_tag` to the image `digest` without pulling it: its manifest is put again.

    On a mutable repository a tag that named another image moves here; on an
    immutable one that is refused with a plain message.
    """
    _check_repository(repository, "Cannot retag")
    _check_digest(digest, "Cannot retag")
    problem = image_tag_problem(new_tag)
    if problem:
        raise UserFacingError("Cannot retag", f"new tag {new_tag!r}: {problem}")
    answer = service.ecr.batch_get_image(
        repositoryName=repository,
        imageIds=[{"imageDigest": digest}],
        acceptedMediaTypes=list(MANIFEST_MEDIA_TYPES),
    )
    images = answer.get("images", [])
    if not images:
        failures = answer.get("failures") or [{"failureCode": "ImageNotFound"}]
        words = _failure_in_words(
            str(failures[0].get("failureCode", "")), str(failures[0].get("failureReason", ""))
        )
        raise UserFacingError("Image not found", f"{_short(digest)} in {repository}: {words}")
    image = images[0]
    request: dict[str, Any] = {
        "repositoryName": repository,
        "imageManifest": image["imageManifest"],
        "imageTag": new_tag,
        # The digest keeps the tag on this very image: some endpoints would otherwise
        # derive another one from the manifest text.
        "imageDigest": digest,
    }
    if image.get("imageManifestMediaType"):
        request["imageManifestMediaType"] = image["imageManifestMediaType"]
    try:
        service.ecr.put_image(**request)
    except ClientError as error:
        code = _error_code(error)
        if code == "ImageTagAlreadyExistsException":
            raise _immutable_tag_error(repository, new_tag) from error
        if code == "ImageAlreadyExistsException":
            # Real ECR says this when the tag is already on this image: nothing to do.
            # moto says it when an immutable tag names another image.
            if _digest_of_tag(service, repository, new_tag) == digest:
                return
            raise _immutable_tag_error(repository, new_tag) from error
        raise
