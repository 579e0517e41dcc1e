"""The JSON ECR returns for a repository, and the settings a seeded one is made with.

No moto here: the endpoint lists the seeded repositories before moto is
imported (see `ecr_tui.demo.early_listing`), with this same code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ecr_tui.demo.data.repositories import RepositorySpec
from ecr_tui.demo.moto_patches.protocol import Json


def naive_utc(epoch: float) -> datetime:
    """`epoch` as moto keeps its times: a naive UTC datetime."""
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def repository_json(repository: Any) -> Json:
    """A repository as DescribeRepositories returns it."""
    shape: Json = {
        "repositoryArn": repository.arn,
        "registryId": repository.registry_id,
        "repositoryName": repository.name,
        "repositoryUri": repository.uri,
        "createdAt": _epoch(repository.created_at),
        "imageTagMutability": repository.image_tag_mutability,
        "imageScanningConfiguration": {
            "scanOnPush": bool(repository.image_scanning_configuration.get("scanOnPush"))
        },
        "encryptionConfiguration": dict(repository.encryption_configuration),
    }
    if repository.image_tag_mutability_exclusion_filters:
        shape["imageTagMutabilityExclusionFilters"] = list(
            repository.image_tag_mutability_exclusion_filters
        )
    return shape


def seeded_encryption(spec: RepositorySpec, region: str, account_id: str) -> dict[str, str] | None:
    """The encryption a seeded repository is created with (None: ECR's default, AES256)."""
    if spec.kms_key_id is None:
        return None
    key = f"arn:aws:kms:{region}:{account_id}:key/{spec.kms_key_id}"
    return {"encryptionType": spec.encryption, "kmsKey": key}


def seeded_exclusions(spec: RepositorySpec) -> list[dict[str, str]] | None:
    """The tag-mutability exclusion filters a seeded repository is created with."""
    return [{"filterType": "WILDCARD", "filter": f} for f in spec.exclusions] or None
