"""Where a repository's images are replicated: the registry's rules, and one image's status.

DescribeRegistry gives the registry's replication rules (which repositories, by
name prefix, go to which regions and accounts); DescribeImageReplicationStatus
gives, for one image, the status of each copy ECR has attempted. A read-only
identity may not be allowed DescribeRegistry: the statuses are shown then, and
the rules said to be unknown, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecr_tui.core.errors import explain_error

if TYPE_CHECKING:
    from ecr_tui.core.ecr import EcrService


@dataclass(frozen=True, slots=True)
class ReplicationStatus:
    """One destination's copy of an image."""

    region: str
    registry_id: str
    status: str  # IN_PROGRESS, COMPLETE or FAILED
    failure_code: str = ""


@dataclass(frozen=True, slots=True)
class Replication:
    """Where the rules send a repository, and how one image's copies are doing."""

    # (region, registry id) the rules name for the repository; None when they could
    # not be read (`rules_problem` says why).
    destinations: tuple[tuple[str, str], ...] | None
    statuses: tuple[ReplicationStatus, ...]
    rules_problem: str = ""

    def status_in(self, region: str, registry_id: str) -> ReplicationStatus | None:
        """The image's copy in that destination, if ECR has attempted one."""
        return next(
            (s for s in self.statuses if (s.region, s.registry_id) == (region, registry_id)),
            None,
        )

    def places(self) -> list[tuple[str, str]]:
        """Every destination, from the rules and from the statuses, in order."""
        found = list(self.destinations or ())
        for status in self.statuses:
            if (status.region, status.registry_id) not in found:
                found.append((status.region, status.registry_id))
        return found


def destinations_for(configuration: Any, repository: str) -> list[tuple[str, str]]:
    """The (region, registryId) pairs a replication configuration sends `repository` to.

    A rule without filters replicates every repository; PREFIX_MATCH is the only
    filter type ECR has.
    """
    found: list[tuple[str, str]] = []
    rules = configuration.get("rules", []) if isinstance(configuration, dict) else []
    for rule in rules:
        filters = rule.get("repositoryFilters") or []
        matches = not filters or any(
            f.get("filterType") == "PREFIX_MATCH" and repository.startswith(f.get("filter", ""))
            for f in filters
        )
        if matches:
            for destination in rule.get("destinations", []):
                pair = (str(destination["region"]), str(destination["registryId"]))
                if pair not in found:
                    found.append(pair)
    return found


def read_replication(service: EcrService, repository: str, digest: str) -> Replication:
    """The rules for `repository` and the image's replication statuses (blocking)."""
    ecr: Any = service.ecr
    destinations: tuple[tuple[str, str], ...] | None = None
    problem = ""
    try:
        registry = ecr.describe_registry()
        configuration = registry.get("replicationConfiguration", {})
        destinations = tuple(destinations_for(configuration, repository))
    except Exception as error:  # denied to many read-only identities: said, not guessed
        explained = explain_error(error, service.settings.endpoint_url)
        problem = f"{explained.title}: {explained.detail}"
    answer = service.ecr.describe_image_replication_status(
        repositoryName=repository, imageId={"imageDigest": digest}
    )
    statuses = tuple(
        ReplicationStatus(
            str(s["region"]), str(s["registryId"]), str(s["status"]), str(s.get("failureCode", ""))
        )
        for s in answer.get("replicationStatuses", [])
    )
    return Replication(destinations, statuses, problem)
