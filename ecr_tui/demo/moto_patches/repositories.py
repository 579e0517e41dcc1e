"""CreateRepository and DescribeRepositories (by name order, a page at a time).

No moto import here: `ecr_tui.demo.early_listing` answers DescribeRepositories
with this very code before moto is loaded.
"""

from __future__ import annotations

import bisect
import uuid
from typing import Any, Protocol

from ecr_tui.demo.moto_patches.paging import decode_token, encode_token, not_with_paging, page_size
from ecr_tui.demo.moto_patches.protocol import EcrError, Json
from ecr_tui.demo.moto_patches.repository_shape import repository_json


class Account(Protocol):
    """Whose registry is read: `EcrState`, or the early listing."""

    @property
    def account_id(self) -> str: ...


class Registry(Account, Protocol):
    """What CreateRepository needs of `EcrState`."""

    def adopt_repository(self, repository: Any) -> None: ...


def create_repository(ecr: Registry, backend: Any, params: Json, now: float) -> Json:
    """moto creates it; the URI and scanning settings are made ECR's."""
    repository = backend.create_repository(
        repository_name=params.get("repositoryName"),
        registry_id=params.get("registryId"),
        encryption_config=params.get("encryptionConfiguration"),
        image_scan_config=params.get("imageScanningConfiguration"),
        image_tag_mutability=params.get("imageTagMutability"),
        image_tag_mutability_exclusion_filters=params.get("imageTagMutabilityExclusionFilters"),
        tags=params.get("tags") or [],
    )
    encryption = repository.encryption_configuration
    if encryption.get("encryptionType") == "KMS_DSSE" and not encryption.get("kmsKey"):
        # As for KMS (which moto handles): ECR names the AWS managed key it used.
        key = uuid.uuid5(uuid.NAMESPACE_URL, repository.arn)
        encryption["kmsKey"] = f"arn:aws:kms:{backend.region_name}:{ecr.account_id}:key/{key}"
    ecr.adopt_repository(repository)
    return {"repository": repository_json(repository)}


def repository_named(backend: Any, name: Any, registry: str) -> Any:
    """The repository in `backend` (moto's, or the early listing's), or ECR's
    RepositoryNotFoundException."""
    repository = backend.repositories.get(name) if isinstance(name, str) else None
    if repository is None or repository.registry_id != registry:
        raise EcrError(
            "RepositoryNotFoundException",
            f"The repository with name '{name}' does not exist in the registry "
            f"with id '{registry}'",
        )
    return repository


def describe_repositories(ecr: Account, backend: Any, params: Json, now: float) -> Json:
    """Repositories by name order, a page at a time."""
    registry = params.get("registryId") or ecr.account_id
    names = params.get("repositoryNames")
    if names:
        not_with_paging(params, "repositoryNames")
        found = [repository_named(backend, name, registry) for name in names]
        return {"repositories": [repository_json(r) for r in found]}
    limit = page_size(params)
    state = decode_token(params, "DescribeRepositories", registry)
    ordered = sorted(name for name, r in backend.repositories.items() if r.registry_id == registry)
    start = bisect.bisect_right(ordered, state["after"]) if state else 0
    chunk = ordered[start : start + limit]
    result: Json = {"repositories": [repository_json(backend.repositories[n]) for n in chunk]}
    if start + limit < len(ordered):
        result["nextToken"] = encode_token(
            op="DescribeRepositories", scope=registry, after=chunk[-1]
        )
    return result
