"""DescribeImageReplicationStatus, which moto lacks, from the registry's replication rules.

ECR replicates an image pushed to a repository that a rule's filters match, to
each of the rule's destinations, within about 30 minutes. Here a destination
whose registry holds the image (same repository name, same digest) answers
COMPLETE; one that does not yet, for an image pushed in the last 30 minutes,
IN_PROGRESS; an image pushed before the rule (never replicated) has no status
for that destination, as ECR records none.
"""

from __future__ import annotations

from typing import Any

from moto.backends import get_backend

from ecr_tui.core.replication import destinations_for
from ecr_tui.demo.moto_patches.ecr_image import find_image
from ecr_tui.demo.moto_patches.protocol import Json
from ecr_tui.demo.moto_patches.state import EcrState

# How long a replication may take before it shows as done (ECR: "within 30 minutes").
REPLICATION_SECONDS = 30 * 60


def _holds(account: str, region: str, repository: str, digest: str) -> bool:
    backends = get_backend("ecr")
    if account not in backends:
        return False
    copy = backends[account][region].repositories.get(repository)
    return copy is not None and any(image.image_digest == digest for image in copy.images)


def describe_image_replication_status(
    ecr: EcrState, backend: Any, params: Json, now: float
) -> Json:
    """The image's replication to each destination its repository's rules name."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    image = find_image(repository, params.get("imageId"))
    digest = str(image.image_digest)
    statuses = []
    for region, registry in destinations_for(backend.replication_config, repository.name):
        if _holds(registry, region, repository.name, digest):
            status = "COMPLETE"
        elif now - float(image.pushed_at) < REPLICATION_SECONDS:
            status = "IN_PROGRESS"
        else:
            continue  # pushed before the rule: never replicated, and ECR says nothing of it
        statuses.append({"region": region, "registryId": registry, "status": status})
    image_id: Json = {"imageDigest": digest}
    if image.image_tags:
        image_id["imageTag"] = params.get("imageId", {}).get("imageTag") or image.image_tags[0]
    return {
        "repositoryName": repository.name,
        "imageId": image_id,
        "replicationStatuses": statuses,
    }
