"""ListImageReferrers: the OCI 1.1 artifacts (signatures, SBOMs, attestations) about an image."""

from __future__ import annotations

import json
from typing import Any

from ecr_tui.demo.moto_patches.ecr_image import EcrImage
from ecr_tui.demo.moto_patches.paging import IMAGE_STATUSES, decode_token, encode_token
from ecr_tui.demo.moto_patches.protocol import EcrError, Json
from ecr_tui.demo.moto_patches.state import EcrState

# ListImageReferrers pages by 50 at most (the model's FiftyMaxResults).
MAX_REFERRERS_PAGE = 50


def list_image_referrers(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """The referrers of `subjectId.imageDigest`, in push order, a page at a time."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    subject = (params.get("subjectId") or {}).get("imageDigest")
    if not isinstance(subject, str) or not subject:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'subjectId.imageDigest' failed to satisfy constraint: "
            "'Member must not be null'",
        )
    given = params.get("filter") or {}
    types = given.get("artifactTypes") or []
    status = given.get("artifactStatus") or "ACTIVE"
    if status != "ANY" and status not in IMAGE_STATUSES:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'filter.artifactStatus' failed to satisfy constraint: "
            "'Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]'",
        )
    limit = _page_size(params)
    found = [
        image
        for image in repository.images
        if image.subject_digest == subject
        and (not types or image.artifact_media_type in types)
        and (status == "ANY" or image.status_at(now)[0] == status)
    ]
    scope = f"{repository.name}|{subject}|{','.join(types)}|{status}"
    state = decode_token(params, "ListImageReferrers", scope)
    start = int(state["offset"]) if state else 0
    result: Json = {"referrers": [_referrer(i, now) for i in found[start : start + limit]]}
    if start + limit < len(found):
        result["nextToken"] = encode_token(
            op="ListImageReferrers", scope=scope, offset=start + limit
        )
    return result


def _referrer(image: EcrImage, now: float) -> Json:
    """A referrer as its OCI descriptor: the size is the manifest's own, in bytes."""
    manifest = image.image_manifest
    found: Json = {
        "digest": image.image_digest,
        "mediaType": image.image_manifest_media_type,
        "artifactType": image.artifact_media_type,
        "size": len(manifest.encode()),
    }
    annotations = json.loads(manifest).get("annotations")
    if isinstance(annotations, dict) and annotations:
        found["annotations"] = {str(k): str(v) for k, v in annotations.items()}
    found["artifactStatus"] = image.status_at(now)[0]
    return found


def _page_size(params: Json) -> int:
    value = params.get("maxResults")
    if value is None:
        return MAX_REFERRERS_PAGE
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 50:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'maxResults' failed to satisfy constraint: "
            f"'Member must have value between 1 and {MAX_REFERRERS_PAGE}'",
        )
    return value
