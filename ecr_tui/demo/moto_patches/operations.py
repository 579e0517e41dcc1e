"""The ECR operations answered here instead of by moto, and how one is run."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.core.exceptions import ServiceException

from ecr_tui.demo.moto_patches.auth import get_authorization_token
from ecr_tui.demo.moto_patches.images import describe_images, list_images
from ecr_tui.demo.moto_patches.protocol import EcrError, Json, error_body
from ecr_tui.demo.moto_patches.pulling import batch_get_image
from ecr_tui.demo.moto_patches.pushing import put_image
from ecr_tui.demo.moto_patches.referrers import list_image_referrers
from ecr_tui.demo.moto_patches.replication import describe_image_replication_status
from ecr_tui.demo.moto_patches.repositories import create_repository, describe_repositories
from ecr_tui.demo.moto_patches.scanning import describe_image_scan_findings, start_image_scan
from ecr_tui.demo.moto_patches.scanning_config import batch_get_repository_scanning_configuration
from ecr_tui.demo.moto_patches.state import EcrState
from ecr_tui.demo.moto_patches.storage import update_image_storage_class

# Each takes the state, moto's backend for the request's region, the request and "now".
Handler = Callable[[EcrState, Any, Json, float], Json]

HANDLERS: dict[str, Handler] = {
    "CreateRepository": create_repository,
    "DescribeRepositories": describe_repositories,
    "DescribeImages": describe_images,
    "ListImages": list_images,
    "DescribeImageScanFindings": describe_image_scan_findings,
    "StartImageScan": start_image_scan,
    "PutImage": put_image,
    "GetAuthorizationToken": get_authorization_token,
    "BatchGetImage": batch_get_image,
    "ListImageReferrers": list_image_referrers,
    "UpdateImageStorageClass": update_image_storage_class,
    "BatchGetRepositoryScanningConfiguration": batch_get_repository_scanning_configuration,
    "DescribeImageReplicationStatus": describe_image_replication_status,
}


def handle(ecr: EcrState, operation: str, region: str, body: bytes) -> tuple[int, bytes]:
    """Run one operation; the HTTP status and JSON body to answer with."""
    try:
        params = json.loads(body or b"{}")
        if not isinstance(params, dict):
            raise EcrError("SerializationException", "Expected a JSON object")
        with ecr.lock:
            result = HANDLERS[operation](ecr, ecr.backend(region), params, ecr.clock())
        return 200, json.dumps(result, separators=(",", ":")).encode()
    except EcrError as error:
        return 400, error_body(error.code, error.message)
    except ServiceException as error:  # raised by moto's backend methods
        return 400, error_body(error.code, error.message)
    except ValueError as error:
        return 400, error_body("SerializationException", str(error))
    except Exception as error:  # a server answers, whatever went wrong
        return 500, error_body("ServerException", f"{type(error).__name__}: {error}")
