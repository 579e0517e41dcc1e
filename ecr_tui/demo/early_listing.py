"""The demo's repositories, listed before moto is imported.

Importing moto costs the endpoint half a second or more, and the first thing
`ecr-tui --demo` shows is the repository list. `EarlyListing` holds the home
registry's repositories with the attributes moto's models get when the dataset
is seeded (`moto_patches.seeding`), and answers DescribeRepositories with the
code that answers it once moto is there (`moto_patches.repositories`): the two
answers are the same (a test compares them). Whatever it cannot answer exactly
(another operation, region or account, or an error, whose wording is moto's)
it leaves to the endpoint, which answers once moto is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ecr_tui.demo.data.repositories import RepositorySpec
from ecr_tui.demo.moto_patches.repositories import describe_repositories
from ecr_tui.demo.moto_patches.repository_shape import (
    naive_utc,
    seeded_encryption,
    seeded_exclusions,
)

# moto's region names outside the commercial partition differ: those wait for moto.
_OTHER_PARTITIONS = ("cn-", "us-gov-", "us-iso", "eu-isoe-")


@dataclass
class ListedRepository:
    """What DescribeRepositories reads of a repository, as moto holds it once seeded."""

    name: str
    arn: str
    registry_id: str
    uri: str
    created_at: datetime
    image_tag_mutability: str
    image_tag_mutability_exclusion_filters: list[dict[str, str]] | None
    image_scanning_configuration: dict[str, bool]
    encryption_configuration: dict[str, str]


def _listed(spec: RepositorySpec, account_id: str, region: str) -> ListedRepository:
    return ListedRepository(
        name=spec.name,
        arn=f"arn:aws:ecr:{region}:{account_id}:repository/{spec.name}",
        registry_id=account_id,
        uri=f"{account_id}.dkr.ecr.{region}.amazonaws.com/{spec.name}",
        created_at=naive_utc(spec.created_at),
        image_tag_mutability=spec.tag_mutability,  # the dataset names *_WITH_EXCLUSION itself
        image_tag_mutability_exclusion_filters=seeded_exclusions(spec),
        image_scanning_configuration={"scanOnPush": spec.scan_on_push},
        encryption_configuration=seeded_encryption(spec, region, account_id)
        or {"encryptionType": "AES256"},
    )


class EarlyListing:
    """The home registry's seeded repositories, answering DescribeRepositories alone."""

    def __init__(self, specs: Sequence[RepositorySpec], account_id: str, region: str) -> None:
        self.account_id = account_id  # read by describe_repositories, as EcrState's
        self.region = region
        self.repositories = {spec.name: _listed(spec, account_id, region) for spec in specs}

    @staticmethod
    def possible(region: str) -> bool:
        """Whether the early answers can be moto's exactly in `region`."""
        return not region.startswith(_OTHER_PARTITIONS)

    def point_at_registry(self, host: str) -> None:
        """Repository URIs at the registry behind the demo, as `EcrState.adopt_repository`."""
        for repository in self.repositories.values():
            repository.uri = f"{host}/{repository.name}"

    def answer(self, operation: str, region: str | None, body: bytes) -> bytes | None:
        """The JSON answer to the request, or None when the endpoint must answer it."""
        if operation != "DescribeRepositories" or region != self.region:
            return None
        try:
            params = json.loads(body or b"{}")
            if not isinstance(params, dict):
                return None
            # Here the listing is both the state (our account) and the backend.
            result = describe_repositories(self, self, params, 0.0)
        except Exception:  # an error's wording is moto's: it answers once loaded
            return None
        return json.dumps(result, separators=(",", ":")).encode()
