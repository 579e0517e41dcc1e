"""The lifecycle policy: validate its rules, read, replace and remove it, and preview
which images it would act on (ECR computes the preview in the background)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ecr_tui.core.admin.common import check_repository, error_code
from ecr_tui.core.admin.policy_documents import (
    JsonDocument,
    JsonPath,
    PolicyError,
    check_properties,
    is_int,
    json_kind,
    load_json_object,
)
from ecr_tui.core.api_items import timestamp
from ecr_tui.core.ecr import EcrService
from ecr_tui.core.errors import UserFacingError, endpoint_lacks_operation

# Limits from the ECR API model (botocore's ecr/2015-09-21).
LIFECYCLE_POLICY_MAX = 30_720
LIFECYCLE_PREVIEW_PAGE = 100  # GetLifecyclePolicyPreview's largest page
MAX_PATTERN_WILDCARDS = 4  # per tagPatternList entry, as ECR documents

# -- validating ---------------------------------------------------------------------------


_TAG_STATUSES = ("tagged", "untagged", "any")
# ECR's archive storage class added the last two count types and the transition action.
_AGE_COUNT_TYPES = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
_COUNT_TYPES = ("imageCountMoreThan", *_AGE_COUNT_TYPES)
_STORAGE_CLASSES = ("standard", "archive")
_ACTION_TYPES = ("expire", "transition")
# Every property ECR's lifecycle policy grammar has, at each level; ECR refuses others.
_RULE_PROPERTIES = ("rulePriority", "description", "selection", "action")
_SELECTION_PROPERTIES = (
    "tagStatus",
    "tagPatternList",
    "tagPrefixList",
    "countType",
    "countUnit",
    "countNumber",
    "storageClass",
)
_ACTION_PROPERTIES = ("type", "targetStorageClass")


def _check_tag_lists(selection: dict[str, Any], where: str) -> None:
    lists = [field for field in ("tagPrefixList", "tagPatternList") if field in selection]
    status = selection["tagStatus"]
    if status == "tagged" and not lists:
        raise PolicyError(
            f'{where}: tagStatus "tagged" needs a tagPatternList (e.g. ["prod*"]) '
            "or a tagPrefixList"
        )
    if status == "untagged" and lists:
        raise PolicyError(f'{where}: tagStatus "untagged" takes no {lists[0]}')
    for field in lists:
        entries = selection[field]
        if not isinstance(entries, list) or not entries:
            raise PolicyError(f"{where}: {field} must be a non-empty list of strings")
        for entry in entries:
            if not isinstance(entry, str) or not entry:
                raise PolicyError(f"{where}: {field} holds {json_kind(entry)}; use strings")
            if field == "tagPatternList" and entry.count("*") > MAX_PATTERN_WILDCARDS:
                raise PolicyError(
                    f"{where}: pattern {entry!r} has {entry.count('*')} '*', "
                    f"ECR allows {MAX_PATTERN_WILDCARDS}"
                )


def _check_selection(selection: object, document: JsonDocument, path: JsonPath, where: str) -> None:
    if not isinstance(selection, dict):
        raise PolicyError(f"{where} needs a 'selection' object")
    check_properties(document, path, selection, _SELECTION_PROPERTIES, f"{where}: selection")
    status = selection.get("tagStatus")
    if status not in _TAG_STATUSES:
        raise PolicyError(
            f'{where}: selection.tagStatus must be "tagged", "untagged" or "any", '
            f"not {json.dumps(status)}"
        )
    _check_tag_lists(selection, where)
    if "storageClass" in selection and selection["storageClass"] not in _STORAGE_CLASSES:
        raise PolicyError(f'{where}: selection.storageClass must be "standard" or "archive"')
    count_type = selection.get("countType")
    if count_type not in _COUNT_TYPES:
        raise PolicyError(
            f'{where}: selection.countType must be "imageCountMoreThan" or '
            f'"sinceImagePushed", not {json.dumps(count_type)}'
        )
    number = selection.get("countNumber")
    if not is_int(number) or number < 1:
        raise PolicyError(
            f"{where}: selection.countNumber must be a whole number above 0, "
            f"not {json.dumps(number)}"
        )
    unit = selection.get("countUnit")
    if count_type in _AGE_COUNT_TYPES and unit != "days":
        raise PolicyError(f'{where}: countType "{count_type}" needs "countUnit": "days"')
    if count_type == "imageCountMoreThan" and unit is not None:
        raise PolicyError(f'{where}: countType "imageCountMoreThan" takes no countUnit')


def _check_action(action: object, document: JsonDocument, path: JsonPath, where: str) -> None:
    if not isinstance(action, dict):
        raise PolicyError(f'{where} needs an \'action\' object: {{"type": "expire"}}')
    check_properties(document, path, action, _ACTION_PROPERTIES, f"{where}: action")
    kind = action.get("type")
    if kind not in _ACTION_TYPES:
        raise PolicyError(f'{where}: action.type must be "expire", not {json.dumps(kind)}')
    if kind == "transition" and action.get("targetStorageClass") != "archive":
        raise PolicyError(f'{where}: a transition needs "targetStorageClass": "archive"')


def _check_lifecycle_policy(text: str) -> None:
    document = load_json_object(text, "lifecycle policy", LIFECYCLE_POLICY_MAX)
    check_properties(document, (), document.value, ("rules",), "the lifecycle policy")
    rules = document.value.get("rules")
    if rules is None:
        raise PolicyError("'rules' is missing: add a list of rules")
    if not isinstance(rules, list) or not rules:
        raise PolicyError("'rules' must be a non-empty list of rules")
    priorities: dict[int, int] = {}  # rulePriority -> rule number
    any_rule: tuple[int, int] | None = None  # (rule number, priority) of a tagStatus "any"
    for index, rule in enumerate(rules, start=1):
        where = f"rule {index}"
        if not isinstance(rule, dict):
            raise PolicyError(f"{where} must be an object, not {json_kind(rule)}")
        check_properties(document, ("rules", index - 1), rule, _RULE_PROPERTIES, where)
        priority = rule.get("rulePriority")
        if not is_int(priority) or priority < 1:
            raise PolicyError(
                f"{where}: rulePriority must be a whole number from 1, not {json.dumps(priority)}"
            )
        if priority in priorities:
            raise PolicyError(
                f"{where}: rulePriority {priority} is already used by rule "
                f"{priorities[priority]}; each rule needs its own"
            )
        priorities[priority] = index
        if "description" in rule and not isinstance(rule["description"], str):
            raise PolicyError(f"{where}: description must be a string")
        path = ("rules", index - 1)
        _check_selection(rule.get("selection"), document, (*path, "selection"), where)
        _check_action(rule.get("action"), document, (*path, "action"), where)
        if rule["selection"]["tagStatus"] == "any":
            any_rule = (index, priority)
    if any_rule is not None and any_rule[1] != max(priorities):
        raise PolicyError(
            f'rule {any_rule[0]}: a rule with tagStatus "any" must have the highest '
            f"rulePriority (ECR evaluates it last), not {any_rule[1]}"
        )


def lifecycle_policy_problem(text: str) -> str | None:
    """What is wrong with `text` as a lifecycle policy, or None if ECR may be sent it."""
    try:
        _check_lifecycle_policy(text)
    except PolicyError as error:
        return str(error)
    return None


# -- reading and changing it --------------------------------------------------------------


def get_lifecycle_policy(service: EcrService, repository: str) -> str | None:
    """The lifecycle policy's text, or None when the repository has none."""
    check_repository(repository, "Cannot read the lifecycle policy")
    try:
        answer = service.ecr.get_lifecycle_policy(repositoryName=repository)
    except ClientError as error:
        if error_code(error) == "LifecyclePolicyNotFoundException":
            return None
        raise
    return answer.get("lifecyclePolicyText")


def set_lifecycle_policy(service: EcrService, repository: str, text: str) -> None:
    """Replace the lifecycle policy, once `text` passes `lifecycle_policy_problem`."""
    check_repository(repository, "Cannot set the lifecycle policy")
    problem = lifecycle_policy_problem(text)
    if problem:
        raise UserFacingError("Invalid lifecycle policy", problem)
    service.ecr.put_lifecycle_policy(repositoryName=repository, lifecyclePolicyText=text)


def delete_lifecycle_policy(service: EcrService, repository: str) -> bool:
    """Remove the lifecycle policy; False when there was none (nothing to do)."""
    check_repository(repository, "Cannot delete the lifecycle policy")
    try:
        service.ecr.delete_lifecycle_policy(repositoryName=repository)
    except ClientError as error:
        if error_code(error) == "LifecyclePolicyNotFoundException":
            return False
        raise
    return True


# -- previewing ---------------------------------------------------------------------------


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


def _is_unsupported(error: ClientError) -> bool:
    # moto answers operations it lacks with an HTML error page (see
    # `endpoint_lacks_operation`); ECR's own 5xx are real failures, explained as such.
    return endpoint_lacks_operation(error)


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
    check_repository(repository, "Cannot preview")
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
        if error_code(error) == "LifecyclePolicyPreviewInProgressException":
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
