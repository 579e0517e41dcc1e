"""The registry's scanning configuration, and each repository's as it follows from it."""

from __future__ import annotations

from typing import Any

from ecr_tui.demo.moto_patches.protocol import EcrError, Json
from ecr_tui.demo.moto_patches.state import EcrState

# BatchGetRepositoryScanningConfiguration takes at most 25 names a call.
MAX_NAMES = 25


def batch_get_repository_scanning_configuration(
    ecr: EcrState, backend: Any, params: Json, now: float
) -> Json:
    """What scanning each named repository gets; an unknown name is a failure, not an error."""
    names = params.get("repositoryNames") or []
    if not 1 <= len(names) <= MAX_NAMES:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'repositoryNames' failed to satisfy constraint: "
            f"'Member must have length between 1 and {MAX_NAMES}'",
        )
    configurations: list[Json] = []
    failures: list[Json] = []
    for name in names:
        repository = backend.repositories.get(name)
        if repository is None or repository.registry_id != ecr.account_id:
            failures.append(
                {
                    "repositoryName": name,
                    "failureCode": "REPOSITORY_NOT_FOUND",
                    "failureReason": "REPOSITORY_NOT_FOUND",
                }
            )
            continue
        config = repository.scanning_config
        configurations.append(
            {
                "repositoryArn": repository.arn,
                "repositoryName": repository.name,
                "scanOnPush": bool(config.get("scanOnPush")),
                "scanFrequency": config.get("scanFrequency", "MANUAL"),
                "appliedScanFilters": list(config.get("appliedScanFilters") or []),
            }
        )
    return {"scanningConfigurations": configurations, "failures": failures}
