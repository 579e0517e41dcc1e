"""Everything ECR says about one image, for the details view: read, and explained.

The DescribeImages item as ECR sends it, the manifest (BatchGetImage, an index
as an index) and the referrers (ListImageReferrers, when botocore and the
endpoint have it). A part that cannot be read says why; the rest still shows.
"""

from __future__ import annotations

import json

from ecr_tui.core.ecr import EcrService
from ecr_tui.core.errors import explain_error
from ecr_tui.core.models import ImageDetails, Referrer


def read_image_details(service: EcrService, repository: str, digest: str) -> ImageDetails:
    """The details view's content (DescribeImages, BatchGetImage, ListImageReferrers)."""
    endpoint = service.settings.endpoint_url
    answer = service.ecr.describe_images(
        repositoryName=repository, imageIds=[{"imageDigest": digest}]
    )
    items = answer.get("imageDetails", [])
    item = items[0] if items else {}
    manifest, media_type, manifest_problem = "", "", ""
    try:
        (read,) = service.index_manifests(repository, [digest])
        manifest, media_type, manifest_problem = read.text, read.media_type, read.problem
    except Exception as error:  # the item is still worth showing
        manifest_problem = str(explain_error(error, endpoint))
    referrers: tuple[Referrer, ...] | None = None
    referrers_problem = ""
    if not hasattr(service.ecr, "list_image_referrers"):
        referrers_problem = "the installed botocore has no ListImageReferrers: upgrade boto3"
    else:
        try:
            referrers = tuple(service.image_referrers(repository, digest))
        except Exception as error:  # an older endpoint, or a policy without the action
            referrers_problem = str(explain_error(error, endpoint))
    return ImageDetails(
        repository=repository,
        digest=digest,
        describe_item=json.dumps(item, indent=2, sort_keys=True),
        manifest=_pretty_json(manifest),
        manifest_media_type=media_type,
        referrers=referrers,
        referrers_problem=referrers_problem,
        manifest_problem=manifest_problem,
    )


def _pretty_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text
