"""The local ECR endpoint behind `ecr-tui --demo`, the tests and the benchmarks.

moto serves the AWS APIs over real HTTP (all of ECR, STS for GetCallerIdentity,
and the rest). Where moto's ECR does not behave like the real service in ways
the app relies on, a WSGI layer in front answers itself, from moto's backend
plus what real ECR also records about an image (compressed size, pull time,
scan):

* paging for DescribeRepositories, DescribeImages, ListImages and
  DescribeImageScanFindings (100 items by default, 1,000 at most);
* realistic image details, scans that take time, basic and enhanced findings,
  one scan per image per 24 hours;
* PutImage's tag rules (ImageTagAlreadyExistsException, a re-pushed tag leaves
  the old image untagged) and digests (sha256 of the manifest);
* GetAuthorizationToken with a 12-hour token for the registry behind the demo,
  and repository URIs (CreateRepository too) that point at that registry.

Every other call goes to moto unchanged (ECR calls under the same lock). The `record_*`
and `check_push_allowed` hooks let a real registry in front of Docker keep
this endpoint informed, in-process. This is the only module that knows
about moto, and it reads and writes moto's private models: that is why moto
is pinned in pyproject.toml.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import fnmatch
import gc
import hashlib
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any

from moto.backends import get_backend
from moto.core.exceptions import ServiceException
from moto.ecr.models import Image as MotoImage
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from ecr_tui.demo.dataset import (
    Dataset,
    ImageSpec,
    RepositorySpec,
    ScanProfile,
    ScanSpec,
    Vulnerability,
    vulnerabilities,
)

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
DEFAULT_PAGE = 100
MAX_PAGE = 1000
SCAN_QUOTA_SECONDS = 24 * 3600.0  # one basic scan per image per 24 hours
TOKEN_LIFETIME_SECONDS = 12 * 3600.0

_StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_WsgiApp = Callable[[dict[str, Any], _StartResponse], Iterable[bytes]]
_Json = dict[str, Any]

# moto state is per process, keyed by account: two endpoints on one account would share it.
_ACCOUNTS_IN_USE: set[str] = set()
_ACCOUNTS_LOCK = threading.Lock()


class EcrError(Exception):
    """An error as ECR reports it: the `__type` code and the message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class _EcrImage(MotoImage):
    """A moto image plus what real ECR also reports about it.

    Made without moto's constructor, which keeps every instance in a global
    list and needs the manifest text: a seeded image rebuilds its manifest
    from the dataset only when something asks for it.
    """

    size_bytes: int
    pushed_at: float
    last_pulled_at: float | None
    artifact_media_type: str
    scan: ScanSpec | None
    manifest_text: str | None
    spec: ImageSpec | None

    @classmethod
    def make(
        cls,
        repository: Any,
        digest: str,
        tags: Iterable[str],
        media_type: str,
        *,
        manifest_text: str | None = None,
        spec: ImageSpec | None = None,
    ) -> _EcrImage:
        """An image with the fields moto reads; callers fill in ECR's extras."""
        image: _EcrImage = object.__new__(cls)
        image.image_tags = list(tags)
        image.image_tag = image.image_tags[-1] if image.image_tags else None  # type: ignore[assignment]
        image.image_manifest_media_type = media_type
        image.repository_name = repository.name
        image.registry_id = repository.registry_id
        image._image_digest = digest
        image.manifest_text = manifest_text
        image.spec = spec
        image.last_pulled_at = None
        image.scan = None
        return image

    @property
    def image_manifest(self) -> str:
        """The manifest as pushed (moto reads this for BatchGetImage)."""
        if self.manifest_text is not None:
            return self.manifest_text
        assert self.spec is not None  # every image has one or the other
        return self.spec.manifest().decode()

    @image_manifest.setter
    def image_manifest(self, text: str) -> None:
        # moto's Image has a plain attribute here, so a subclass must accept writes too.
        self.manifest_text = text

    def add_tag(self, tag: str) -> None:
        """Put `tag` on this image."""
        if tag not in self.image_tags:
            self.image_tags.append(tag)
        self.image_tag = tag

    def drop_tag(self, tag: str) -> None:
        """Take `tag` off; an image that loses its last tag stays, untagged."""
        if tag in self.image_tags:
            self.image_tags.remove(tag)
        # moto annotates a str, yet its own untagged images carry None too.
        self.image_tag = self.image_tags[-1] if self.image_tags else None  # type: ignore[assignment]


def _epoch(moment: datetime) -> float:
    # moto keeps naive UTC datetimes.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _naive_utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def _scan_status(scan: ScanSpec, now: float) -> str:
    if scan.completed_at is not None and now < scan.completed_at:
        return "IN_PROGRESS"
    return scan.status


def _image_seed(digest: str) -> int:
    return int(digest.removeprefix("sha256:")[:16], 16)


def _manifest_facts(manifest: str) -> tuple[dict[str, Any], int, str]:
    """The parsed manifest, its compressed size and its artifact media type."""
    try:
        parsed = json.loads(manifest)
    except ValueError:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'ImageManifest' failed to satisfy constraint: "
            "'Invalid JSON syntax'",
        ) from None
    if not isinstance(parsed, dict):
        raise EcrError("InvalidParameterException", "Invalid parameter at 'ImageManifest'")
    layers = parsed.get("layers") or []
    size = sum(int(layer.get("size", 0)) for layer in layers if isinstance(layer, dict))
    if not layers:  # an index or a manifest list: ECR counts the document itself
        size = len(manifest.encode())
    config = parsed.get("config")
    artifact = str(config.get("mediaType", "")) if isinstance(config, dict) else ""
    return parsed, size, artifact


class _EcrApi:
    """ECR operations answered here instead of by moto; state lives in moto's backend."""

    def __init__(
        self,
        account_id: str,
        region: str,
        scan_seconds: float,
        password: str,
        clock: Callable[[], float],
    ) -> None:
        self.account_id = account_id
        self.clock = clock
        self.region = region
        self.scan_seconds = scan_seconds
        self.password = password
        self.registry_host: str | None = None
        # moto's ECR models are plain lists and dicts: one lock serializes every change.
        self.lock = threading.RLock()
        self.handlers: dict[str, Callable[[Any, _Json, float], _Json]] = {
            "CreateRepository": self.create_repository,
            "DescribeRepositories": self.describe_repositories,
            "DescribeImages": self.describe_images,
            "ListImages": self.list_images,
            "DescribeImageScanFindings": self.describe_image_scan_findings,
            "StartImageScan": self.start_image_scan,
            "PutImage": self.put_image,
            "GetAuthorizationToken": self.get_authorization_token,
        }

    # -- plumbing ----------------------------------------------------------------------------

    def backend(self, region: str | None = None) -> Any:
        """moto's ECR backend for our account in `region`."""
        return get_backend("ecr")[self.account_id][region or self.region]

    def handle(self, operation: str, region: str, body: bytes) -> tuple[int, bytes]:
        """Run one operation; the HTTP status and JSON body to answer with."""
        try:
            params = json.loads(body or b"{}")
            if not isinstance(params, dict):
                raise EcrError("SerializationException", "Expected a JSON object")
            with self.lock:
                result = self.handlers[operation](self.backend(region), params, self.clock())
            return 200, json.dumps(result, separators=(",", ":")).encode()
        except EcrError as error:
            return 400, self._error(error.code, error.message)
        except ServiceException as error:  # raised by moto's backend methods
            return 400, self._error(error.code, error.message)
        except ValueError as error:
            return 400, self._error("SerializationException", str(error))
        except Exception as error:  # a server answers, whatever went wrong
            return 500, self._error("ServerException", f"{type(error).__name__}: {error}")

    @staticmethod
    def _error(code: str, message: str) -> bytes:
        return json.dumps({"__type": code, "message": message}).encode()

    def repository(self, backend: Any, name: Any, registry_id: Any = None) -> Any:
        """The moto repository, or ECR's RepositoryNotFoundException."""
        registry = registry_id or self.account_id
        repository = backend.repositories.get(name) if isinstance(name, str) else None
        if repository is None or repository.registry_id != registry:
            raise EcrError(
                "RepositoryNotFoundException",
                f"The repository with name '{name}' does not exist in the registry "
                f"with id '{registry}'",
            )
        return repository

    def profile(self, repository: Any) -> ScanProfile:
        """How the repository's images scan (repositories made at run time hold Debian)."""
        profile: ScanProfile | None = getattr(repository, "scan_profile", None)
        if profile is None:
            profile = ScanProfile.default(repository.name)
            repository.scan_profile = profile
        return profile

    def adopt_repository(self, repository: Any) -> None:
        """Make moto's repository look like ECR's: its URI and scanning settings."""
        if self.registry_host is not None:
            repository.uri = f"{self.registry_host}/{repository.name}"
        scan_on_push = bool(repository.image_scanning_configuration.get("scanOnPush"))
        frequency = "SCAN_ON_PUSH" if scan_on_push else "MANUAL"
        if self.profile(repository).enhanced:
            frequency = "CONTINUOUS_SCAN"
            repository.scanning_config["appliedScanFilters"] = [
                {"filter": repository.name, "filterType": "WILDCARD"}
            ]
        repository.scanning_config["scanOnPush"] = scan_on_push
        repository.scanning_config["scanFrequency"] = frequency

    @staticmethod
    def find_image(repository: Any, image_id: Any) -> _EcrImage:
        """The image an ECR `imageId` names, or ImageNotFoundException."""
        image_id = image_id if isinstance(image_id, dict) else {}
        digest, tag = image_id.get("imageDigest"), image_id.get("imageTag")
        if not digest and not tag:
            raise EcrError(
                "InvalidParameterException",
                "Invalid parameter at 'imageId' failed to satisfy constraint: "
                "'Either imageDigest or imageTag must be specified'",
            )
        for image in reversed(repository.images):  # recent images are asked for most
            if (not digest or image.image_digest == digest) and (
                not tag or tag in image.image_tags
            ):
                return image  # type: ignore[no-any-return]
        raise EcrError(
            "ImageNotFoundException",
            f"The image with imageId {{imageDigest:'{digest or 'null'}', "
            f"imageTag:'{tag or 'null'}'}} does not exist within the repository with name "
            f"'{repository.name}' in the registry with id '{repository.registry_id}'",
        )

    @staticmethod
    def page_size(params: _Json) -> int:
        """`maxResults`, checked the way ECR checks it."""
        value = params.get("maxResults")
        if value is None:
            return DEFAULT_PAGE
        if isinstance(value, bool) or not isinstance(value, int):
            raise EcrError("InvalidParameterException", "Invalid parameter at 'maxResults'")
        if value > MAX_PAGE:
            bound = f"less than or equal to {MAX_PAGE}"
        elif value < 1:
            bound = "greater than or equal to 1"
        else:
            return value
        raise EcrError(
            "InvalidParameterException",
            f"Invalid parameter at 'maxResults' failed to satisfy constraint: "
            f"'Member must have value {bound}'",
        )

    @staticmethod
    def encode_token(**state: Any) -> str:
        """An opaque `nextToken` carrying where the next page starts."""
        return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()

    @staticmethod
    def decode_token(params: _Json, operation: str, scope: str) -> dict[str, Any] | None:
        """The state in `nextToken`, checked to belong to this very listing."""
        token = params.get("nextToken")
        if token is None:
            return None
        try:
            state = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        except (ValueError, binascii.Error):
            state = None
        if (
            not isinstance(state, dict)
            or state.get("op") != operation
            or state.get("scope") != scope
        ):
            raise EcrError(
                "InvalidParameterException",
                "Invalid parameter at 'nextToken' failed to satisfy constraint: "
                "'Invalid pagination token'",
            )
        return state

    @staticmethod
    def not_with_paging(params: _Json, selector: str) -> None:
        if params.get("maxResults") is not None or params.get("nextToken") is not None:
            raise EcrError(
                "InvalidParameterException",
                f"Invalid parameter: maxResults and nextToken cannot be used with {selector}",
            )

    @staticmethod
    def resume_at(images: list[Any], state: dict[str, Any] | None) -> tuple[int, int]:
        """Where a listing of `images` goes on: the image index and how many of its tags
        were already returned."""
        if state is None:
            return 0, 0
        index, digest, skip = int(state.get("i", 0)), state.get("d"), int(state.get("t", 0))
        if 0 <= index < len(images) and images[index].image_digest == digest:
            return index, skip
        # The list changed under the reader (a delete): find the image again.
        for position, image in enumerate(images):
            if image.image_digest == digest:
                return position, skip
        return min(index, len(images)), 0

    @staticmethod
    def tag_filter(params: _Json) -> Callable[[Any], bool]:
        status = (params.get("filter") or {}).get("tagStatus") or "ANY"
        if status == "TAGGED":
            return lambda image: bool(image.image_tags)
        if status == "UNTAGGED":
            return lambda image: not image.image_tags
        if status != "ANY":
            raise EcrError(
                "InvalidParameterException",
                "Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: "
                "'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'",
            )
        return lambda image: True

    # -- JSON shapes --------------------------------------------------------------------------

    @staticmethod
    def repository_json(repository: Any) -> _Json:
        """A repository as DescribeRepositories returns it."""
        shape: _Json = {
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

    @staticmethod
    def image_json(repository: Any, image: _EcrImage, now: float) -> _Json:
        """An image as DescribeImages returns it."""
        shape: _Json = {
            "registryId": repository.registry_id,
            "repositoryName": repository.name,
            "imageDigest": image.image_digest,
        }
        if image.image_tags:
            shape["imageTags"] = list(image.image_tags)
        shape["imageSizeInBytes"] = image.size_bytes
        shape["imagePushedAt"] = image.pushed_at
        shape["imageManifestMediaType"] = image.image_manifest_media_type
        if image.artifact_media_type:
            shape["artifactMediaType"] = image.artifact_media_type
        if image.last_pulled_at is not None:
            shape["lastRecordedPullTime"] = image.last_pulled_at
        scan = image.scan
        if scan is not None:
            status = _scan_status(scan, now)
            shape["imageScanStatus"] = _scan_status_json(scan, status)
            if status in ("COMPLETE", "ACTIVE"):
                shape["imageScanFindingsSummary"] = _summary_json(scan)
        return shape

    # -- operations ---------------------------------------------------------------------------

    def create_repository(self, backend: Any, params: _Json, now: float) -> _Json:
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
        self.adopt_repository(repository)
        return {"repository": self.repository_json(repository)}

    def describe_repositories(self, backend: Any, params: _Json, now: float) -> _Json:
        """Repositories by name order, a page at a time."""
        registry = params.get("registryId") or self.account_id
        names = params.get("repositoryNames")
        if names:
            self.not_with_paging(params, "repositoryNames")
            found = [self.repository(backend, name, registry) for name in names]
            return {"repositories": [self.repository_json(r) for r in found]}
        limit = self.page_size(params)
        state = self.decode_token(params, "DescribeRepositories", registry)
        ordered = sorted(
            name for name, r in backend.repositories.items() if r.registry_id == registry
        )
        start = bisect.bisect_right(ordered, state["after"]) if state else 0
        chunk = ordered[start : start + limit]
        result: _Json = {
            "repositories": [self.repository_json(backend.repositories[n]) for n in chunk]
        }
        if start + limit < len(ordered):
            result["nextToken"] = self.encode_token(
                op="DescribeRepositories", scope=registry, after=chunk[-1]
            )
        return result

    def describe_images(self, backend: Any, params: _Json, now: float) -> _Json:
        """Images in push order, a page at a time, with ECR's details."""
        repository = self.repository(
            backend, params.get("repositoryName"), params.get("registryId")
        )
        wanted = self.tag_filter(params)
        image_ids = params.get("imageIds")
        if image_ids:
            self.not_with_paging(params, "imageIds")
            found: dict[int, _EcrImage] = {}
            for image_id in image_ids:
                image = self.find_image(repository, image_id)
                found.setdefault(id(image), image)
            return {
                "imageDetails": [
                    self.image_json(repository, image, now)
                    for image in found.values()
                    if wanted(image)
                ]
            }
        limit = self.page_size(params)
        scope = f"{repository.name}|{(params.get('filter') or {}).get('tagStatus', 'ANY')}"
        images = repository.images
        index, _ = self.resume_at(images, self.decode_token(params, "DescribeImages", scope))
        page: list[_EcrImage] = []
        while index < len(images) and len(page) < limit:
            if wanted(images[index]):
                page.append(images[index])
            index += 1
        result: _Json = {"imageDetails": [self.image_json(repository, i, now) for i in page]}
        if any(wanted(image) for image in _iter_from(images, index)):
            result["nextToken"] = self.encode_token(
                op="DescribeImages", scope=scope, i=index, d=images[index].image_digest
            )
        return result

    def list_images(self, backend: Any, params: _Json, now: float) -> _Json:
        """One entry per tag (one for an untagged image), a page at a time."""
        repository = self.repository(
            backend, params.get("repositoryName"), params.get("registryId")
        )
        wanted = self.tag_filter(params)
        limit = self.page_size(params)
        scope = f"{repository.name}|{(params.get('filter') or {}).get('tagStatus', 'ANY')}"
        images = repository.images
        index, skip = self.resume_at(images, self.decode_token(params, "ListImages", scope))
        entries: list[_Json] = []
        while index < len(images) and len(entries) < limit:
            image = images[index]
            if wanted(image):
                tags: list[str | None] = list(image.image_tags) or [None]
                taken = tags[skip : skip + limit - len(entries)]
                for tag in taken:
                    entry = {"imageDigest": image.image_digest}
                    if tag is not None:
                        entry["imageTag"] = tag
                    entries.append(entry)
                skip += len(taken)
                if skip < len(tags):
                    break  # the page is full in the middle of this image's tags
            index += 1
            skip = 0
        result: _Json = {"imageIds": entries}
        if skip or any(wanted(image) for image in _iter_from(images, index)):
            result["nextToken"] = self.encode_token(
                op="ListImages", scope=scope, i=index, d=images[index].image_digest, t=skip
            )
        return result

    def describe_image_scan_findings(self, backend: Any, params: _Json, now: float) -> _Json:
        """A scan's status and, once it is done, its findings a page at a time."""
        repository = self.repository(
            backend, params.get("repositoryName"), params.get("registryId")
        )
        requested = params.get("imageId") or {}
        image = self.find_image(repository, requested)
        limit = self.page_size(params)
        scan = image.scan
        if scan is None:
            raise EcrError(
                "ScanNotFoundException",
                f"Image scan does not exist for the image with '{{imageDigest:"
                f"'{requested.get('imageDigest') or 'null'}', imageTag:"
                f"'{requested.get('imageTag') or 'null'}'}}' in the repository with name "
                f"'{repository.name}' in the registry with id '{repository.registry_id}'",
            )
        image_id = {"imageDigest": image.image_digest}
        if requested.get("imageTag"):
            image_id["imageTag"] = requested["imageTag"]
        status = _scan_status(scan, now)
        result: _Json = {
            "registryId": repository.registry_id,
            "repositoryName": repository.name,
            "imageId": image_id,
            "imageScanStatus": _scan_status_json(scan, status),
        }
        if status not in ("COMPLETE", "ACTIVE"):
            return result
        scope = f"{repository.name}|{image.image_digest}|{scan.started_at}"
        state = self.decode_token(params, "DescribeImageScanFindings", scope)
        start = int(state["offset"]) if state else 0
        found = vulnerabilities(scan)
        chunk = found[start : start + limit]
        findings = _summary_json(scan)
        if scan.profile.enhanced:
            findings["enhancedFindings"] = [
                self.enhanced_finding(backend, repository, image, scan, v) for v in chunk
            ]
        else:
            findings["findings"] = [_basic_finding(v) for v in chunk]
        result["imageScanFindings"] = findings
        if start + limit < len(found):
            result["nextToken"] = self.encode_token(
                op="DescribeImageScanFindings", scope=scope, offset=start + limit
            )
        return result

    def enhanced_finding(
        self, backend: Any, repository: Any, image: _EcrImage, scan: ScanSpec, v: Vulnerability
    ) -> _Json:
        """A finding in Amazon Inspector's format, as enhanced scanning reports it."""
        region, account = backend.region_name, repository.registry_id
        severity = "UNTRIAGED" if v.severity == "UNDEFINED" else v.severity
        finding_id = hashlib.md5(
            f"{image.image_digest}{v.cve}{v.package}".encode(), usedforsecurity=False
        ).hexdigest()
        package: _Json = {
            "arch": "X86_64",
            "epoch": 0,
            "name": v.package,
            "packageManager": v.package_manager,
            "version": v.version,
            "fixedInVersion": v.fixed_in or "NotAvailable",
        }
        if v.file_path:
            package["filePath"] = v.file_path
        details: _Json = {
            "cvss": [],
            "referenceUrls": [v.uri],
            "relatedVulnerabilities": [],
            "source": _INSPECTOR_SOURCE.get((v.package_manager, scan.profile.family), "NVD"),
            "sourceUrl": v.uri,
            "vendorCreatedAt": v.published_at,
            "vendorSeverity": severity,
            "vendorUpdatedAt": v.published_at + 14 * 86_400,
            "vulnerabilityId": v.cve,
            "vulnerablePackages": [package],
        }
        observed = scan.completed_at or scan.started_at
        finding: _Json = {
            "awsAccountId": account,
            "description": v.description,
            "findingArn": f"arn:aws:inspector2:{region}:{account}:finding/{finding_id}",
            "firstObservedAt": scan.started_at,
            "lastObservedAt": observed,
            "updatedAt": observed,
            "packageVulnerabilityDetails": details,
            "remediation": {
                "recommendation": {
                    "text": f"Upgrade {v.package} to version {v.fixed_in} or later."
                    if v.fixed_in
                    else "None Provided"
                }
            },
            "resources": [
                {
                    "type": "AWS_ECR_CONTAINER_IMAGE",
                    "id": f"arn:aws:ecr:{region}:{account}:repository/{repository.name}/"
                    f"{image.image_digest}",
                    "details": {
                        "awsEcrContainerImage": {
                            "architecture": "amd64",
                            "imageHash": image.image_digest,
                            "imageTags": list(image.image_tags),
                            "platform": _PLATFORMS.get(scan.profile.family, "UNKNOWN"),
                            "pushedAt": image.pushed_at,
                            "registry": account,
                            "repositoryName": repository.name,
                        }
                    },
                }
            ],
            "severity": severity,
            "status": "ACTIVE",
            "title": f"{v.cve} - {v.package}",
            "type": "PACKAGE_VULNERABILITY",
            "fixAvailable": "YES" if v.fixed_in else "NO",
            "exploitAvailable": "YES" if v.exploit_available else "NO",
        }
        if v.score is not None:
            cvss = {"baseScore": v.score, "scoringVector": v.vector, "version": v.cvss_version}
            details["cvss"] = [{**cvss, "source": "NVD"}]
            finding["score"] = v.score
            finding["scoreDetails"] = {
                "cvss": {
                    "adjustments": [],
                    "score": v.score,
                    "scoreSource": "NVD",
                    "scoringVector": v.vector,
                    "version": v.cvss_version,
                }
            }
        return finding

    def start_image_scan(self, backend: Any, params: _Json, now: float) -> _Json:
        """Start a basic scan: IN_PROGRESS now, done `scan_seconds` later."""
        repository = self.repository(
            backend, params.get("repositoryName"), params.get("registryId")
        )
        image = self.find_image(repository, params.get("imageId"))
        profile = self.profile(repository)
        if profile.enhanced:
            # Continuous (enhanced) scanning leaves no manual scans to start.
            raise EcrError("ValidationException", "This feature is disabled")
        if image.scan is not None and now - image.scan.started_at < SCAN_QUOTA_SECONDS:
            raise EcrError(
                "LimitExceededException",
                "The scan quota per image has been exceeded. Wait and try again.",
            )
        self.begin_scan(repository, image, now)
        image_id = {"imageDigest": image.image_digest}
        tag = (params.get("imageId") or {}).get("imageTag")
        if tag:
            image_id["imageTag"] = tag
        return {
            "registryId": repository.registry_id,
            "repositoryName": repository.name,
            "imageId": image_id,
            "imageScanStatus": {"status": "IN_PROGRESS"},
        }

    def begin_scan(self, repository: Any, image: _EcrImage, now: float) -> None:
        """Scan the image: its results are decided now and shown once the scan is done."""
        profile = self.profile(repository)
        seed = _image_seed(image.image_digest)
        image.scan = profile.scan(seed, now, now + self.scan_seconds)

    def put_image(self, backend: Any, params: _Json, now: float) -> _Json:
        """PutImage with ECR's digests and tag rules."""
        repository = self.repository(
            backend, params.get("repositoryName"), params.get("registryId")
        )
        manifest = params.get("imageManifest")
        if not isinstance(manifest, str):
            raise EcrError("InvalidParameterException", "Invalid parameter at 'imageManifest'")
        parsed, _, _ = _manifest_facts(manifest)
        media_type = params.get("imageManifestMediaType") or parsed.get("mediaType")
        if not media_type:
            raise EcrError(
                "InvalidParameterException",
                "image manifest mediatype not provided in manifest or parameter",
            )
        tag = params.get("imageTag") or None
        image = self.store_image(
            repository, manifest, str(media_type), tag, params.get("imageDigest"), now, False
        )
        image_id = {"imageDigest": image.image_digest}
        if tag:
            image_id["imageTag"] = tag
        return {
            "image": {
                "registryId": repository.registry_id,
                "repositoryName": repository.name,
                "imageId": image_id,
                "imageManifest": manifest,
                "imageManifestMediaType": media_type,
            }
        }

    def store_image(
        self,
        repository: Any,
        manifest: str,
        media_type: str,
        tag: str | None,
        digest: str | None,
        now: float,
        repeat_ok: bool,
    ) -> _EcrImage:
        """Record a pushed manifest as ECR does; `repeat_ok` accepts a push seen before."""
        digest = digest or "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
        existing: _EcrImage | None = None
        holder: _EcrImage | None = None
        for image in repository.images:
            if image.image_digest == digest:
                existing = image
            if tag is not None and tag in image.image_tags:
                holder = image
        if existing is not None and (tag is None or holder is existing):
            if repeat_ok:
                return existing
            raise EcrError(
                "ImageAlreadyExistsException",
                f"Image with digest '{digest}' and tag '{tag or 'null'}' already exists in the "
                f"repository with name '{repository.name}' in registry with id "
                f"'{repository.registry_id}'",
            )
        if tag is not None and holder is not None:
            if self.tag_is_immutable(repository, tag):
                raise EcrError(
                    "ImageTagAlreadyExistsException", _immutable_message(repository, tag)
                )
            holder.drop_tag(tag)  # real ECR keeps the old image, untagged if that was its last
        if existing is not None and tag is not None:
            existing.add_tag(tag)
            return existing
        parsed, size, artifact = _manifest_facts(manifest)
        # A registry may forward a push without Content-Type: the manifest names its type.
        media_type = media_type or str(parsed.get("mediaType", ""))
        image = _EcrImage.make(
            repository, digest, [tag] if tag else [], media_type, manifest_text=manifest
        )
        image.size_bytes = size
        image.pushed_at = now
        image.artifact_media_type = artifact
        repository.images.append(image)
        scan_on_push = repository.image_scanning_configuration.get("scanOnPush")
        if scan_on_push or self.profile(repository).enhanced:
            self.begin_scan(repository, image, now)
        return image

    @staticmethod
    def tag_is_immutable(repository: Any, tag: str) -> bool:
        """Whether the repository forbids moving `tag` (exclusion filters included)."""
        mutability = str(repository.image_tag_mutability)
        filters = repository.image_tag_mutability_exclusion_filters or []
        excluded = any(fnmatch.fnmatchcase(tag, str(f.get("filter", ""))) for f in filters)
        if mutability == "IMMUTABLE":
            return True
        if mutability == "IMMUTABLE_WITH_EXCLUSION":
            return not excluded
        return mutability == "MUTABLE_WITH_EXCLUSION" and excluded

    def get_authorization_token(self, backend: Any, params: _Json, now: float) -> _Json:
        """A 12-hour token for the registry behind the endpoint."""
        token = base64.b64encode(f"AWS:{self.password}".encode()).decode()
        if self.registry_host is not None:
            proxy = f"http://{self.registry_host}"
        else:
            proxy = f"https://{self.account_id}.dkr.ecr.{backend.region_name}.amazonaws.com"
        return {
            "authorizationData": [
                {
                    "authorizationToken": token,
                    "expiresAt": now + TOKEN_LIFETIME_SECONDS,
                    "proxyEndpoint": proxy,
                }
            ]
        }


_PLATFORMS = {"debian": "DEBIAN_12", "ubuntu": "UBUNTU_22_04", "alpine": "ALPINE_LINUX_3_18"}
_INSPECTOR_SOURCE = {
    ("OS", "debian"): "DEBIAN_CVE",
    ("OS", "ubuntu"): "UBUNTU_CVE",
    ("OS", "alpine"): "ALPINE_SEC_DB",
}


def _iter_from(items: list[Any], start: int) -> Iterator[Any]:
    return (items[i] for i in range(start, len(items)))


def _immutable_message(repository: Any, tag: str) -> str:
    return (
        f"The image tag '{tag}' already exists in the '{repository.name}' repository and "
        "cannot be overwritten because the repository is immutable."
    )


def _scan_status_json(scan: ScanSpec, status: str) -> _Json:
    if status == "IN_PROGRESS":
        return {"status": status}
    return {"status": status, "description": scan.description}


def _summary_json(scan: ScanSpec) -> _Json:
    summary: _Json = {"imageScanCompletedAt": scan.completed_at}
    if scan.source_updated_at is not None:
        summary["vulnerabilitySourceUpdatedAt"] = scan.source_updated_at
    summary["findingSeverityCounts"] = dict(scan.severity_counts)
    return summary


def _basic_finding(v: Vulnerability) -> _Json:
    attributes = [
        {"key": "package_version", "value": v.version},
        {"key": "package_name", "value": v.package},
    ]
    if v.score is not None:
        prefix = "CVSS2" if v.cvss_version == "2.0" else "CVSS3"
        attributes.append({"key": f"{prefix}_VECTOR", "value": v.vector})
        attributes.append({"key": f"{prefix}_SCORE", "value": str(v.score)})
    return {
        "name": v.cve,
        "description": v.description,
        "uri": v.uri,
        "severity": v.severity,
        "attributes": attributes,
    }


def _region_of(environ: dict[str, Any]) -> str | None:
    """The region a SigV4 request was signed for."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    _, found, rest = authorization.partition("Credential=")
    parts = rest.split(",", 1)[0].split("/")
    return parts[2] if found and len(parts) >= 4 else None


class _Gateway:
    """The WSGI app: ECR operations that need real behaviour here, the rest to moto."""

    def __init__(self, api: _EcrApi, moto_app: _WsgiApp) -> None:
        self.api = api
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        # Whatever key the client signs with, moto answers for our account.
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = self.api.account_id
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if not target.startswith(TARGET_PREFIX):
            return self.moto_app(environ, start_response)
        operation = target.removeprefix(TARGET_PREFIX)
        if operation not in self.api.handlers:
            with self.api.lock:  # moto changes its ECR models while it answers
                response = self.moto_app(environ, start_response)
                try:
                    return list(response)
                finally:
                    close = getattr(response, "close", None)
                    if close is not None:
                        close()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, payload = self.api.handle(operation, _region_of(environ) or self.api.region, body)
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", str(uuid.uuid4())),
            ],
        )
        return [payload]


class LocalEcr:
    """An ECR endpoint on a local port: moto, made to behave like the real service.

    One per account and process (moto's state is global). Use `start()` and
    `stop()`, or a `with` block. `scan_seconds` is how long a scan runs;
    `clock` is "now" for scans, pushes, pulls and token expiry, and must agree
    with the `now` a seeded dataset was built for (a dataset built for the
    future shows its finished scans as still running).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        *,
        scan_seconds: float = 3.0,
        password: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
        self.account_id = account_id
        self.region = region
        password = password or secrets.token_urlsafe(24)
        self._api = _EcrApi(account_id, region, scan_seconds, password, clock)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The endpoint URL, e.g. http://127.0.0.1:PORT (once started)."""
        if self._server is None:
            raise RuntimeError("LocalEcr is not started")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def lock(self) -> threading.RLock:
        """Held around every read and change of the ECR state."""
        return self._api.lock

    def start(self) -> str:
        """Serve on a background thread with a fresh, empty registry; the URL."""
        if self._server is not None:
            return self.url
        with _ACCOUNTS_LOCK:
            if self.account_id in _ACCOUNTS_IN_USE:
                raise RuntimeError(f"a LocalEcr already serves account {self.account_id}")
            _ACCOUNTS_IN_USE.add(self.account_id)
        try:
            # werkzeug logs every request and error; nothing may reach a terminal.
            logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
            get_backend("ecr")[self.account_id].reset()
            moto_app = DomainDispatcherApplication(create_backend_app)
            self._server = make_server(
                self.host,
                self.port,
                _Gateway(self._api, moto_app),
                threaded=True,
                request_handler=MotoRequestHandler,
            )
        except BaseException:
            with _ACCOUNTS_LOCK:
                _ACCOUNTS_IN_USE.discard(self.account_id)
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-ecr", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving, free the port and forget the registry's content."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        if thread is not None:
            thread.join()
        server.server_close()
        self._server = self._thread = None
        get_backend("ecr")[self.account_id].reset()  # frees what was seeded
        with _ACCOUNTS_LOCK:
            _ACCOUNTS_IN_USE.discard(self.account_id)

    def __enter__(self) -> LocalEcr:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- content ------------------------------------------------------------------------------

    def seed(self, dataset: Dataset) -> None:
        """Load a dataset straight into the backend (no HTTP: 100,000 images in seconds).

        Call it after `start()`, which begins with an empty registry.
        """
        if self._server is None:
            raise RuntimeError("start() the LocalEcr before seeding it")
        backend = self._api.backend()
        # Every object made here lives on: collecting while making them is wasted work
        # (a third of the seeding time at 100,000 images).
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self.lock:
                for spec in dataset.repositories:
                    repository = self._create_seeded_repository(backend, spec)
                    images = (self._seeded_image(repository, s) for s in spec.images())
                    repository.images.extend(images)
        finally:
            if collecting:
                gc.enable()

    def _create_seeded_repository(self, backend: Any, spec: RepositorySpec) -> Any:
        encryption = None
        if spec.encryption == "KMS":
            key = f"arn:aws:kms:{self.region}:{self.account_id}:key/{spec.kms_key_id}"
            encryption = {"encryptionType": "KMS", "kmsKey": key}
        repository = backend.create_repository(
            repository_name=spec.name,
            registry_id=None,
            encryption_config=encryption,
            image_scan_config={"scanOnPush": spec.scan_on_push},
            image_tag_mutability=spec.tag_mutability,
            tags=[{"Key": "team", "Value": spec.name.split("/", 1)[0]}],
        )
        repository.created_at = _naive_utc(spec.created_at)
        repository.scan_profile = spec.profile
        self._api.adopt_repository(repository)
        return repository

    @staticmethod
    def _seeded_image(repository: Any, spec: ImageSpec) -> _EcrImage:
        image = _EcrImage.make(
            repository, spec.digest, spec.tags, spec.manifest_media_type, spec=spec
        )
        image.size_bytes = spec.size_bytes
        image.pushed_at = spec.pushed_at
        image.last_pulled_at = spec.last_pulled_at
        image.artifact_media_type = spec.artifact_media_type
        image.scan = spec.scan
        return image

    # -- hooks for the registry behind the demo --------------------------------------------------

    def attach_registry(self, host: str, password: str) -> None:
        """Put a real registry at `host` behind the endpoint.

        From now on repository URIs are `host/name`, and GetAuthorizationToken
        hands out `AWS:password` for `http://host`.
        """
        with self.lock:
            self._api.registry_host = host
            self._api.password = password
            for backend in get_backend("ecr")[self.account_id].values():
                for repository in backend.repositories.values():
                    self._api.adopt_repository(repository)

    def check_push_allowed(self, repository: str, tag: str | None) -> str | None:
        """None if ECR would take a push of `repository:tag`, else ECR's reason.

        A tag already in an immutable repository is refused whatever is pushed,
        as the registry cannot tell yet which manifest is coming.
        """
        with self.lock:
            found = self._api.backend().repositories.get(repository)
            if found is None:
                return (
                    f"The repository with name '{repository}' does not exist in the registry "
                    f"with id '{self.account_id}'"
                )
            taken = tag is not None and any(tag in image.image_tags for image in found.images)
            if taken and tag is not None and self._api.tag_is_immutable(found, tag):
                return _immutable_message(found, tag)
            return None

    def record_push(
        self, repository: str, tag: str | None, manifest_bytes: bytes, media_type: str
    ) -> str:
        """Register a manifest the registry accepted, as ECR would; its digest.

        The digest is sha256 of the bytes, the size the sum of the layers, the
        push time now; scan-on-push starts a scan; the tag moves off any older
        image. Pushing the same manifest and tag again changes nothing.
        Raises EcrError (RepositoryNotFoundException, ImageTagAlreadyExistsException).
        """
        with self.lock:
            found = self._api.repository(self._api.backend(), repository)
            image = self._api.store_image(
                found,
                manifest_bytes.decode(),
                media_type,
                tag or None,
                None,
                self._api.clock(),
                True,
            )
            return str(image.image_digest)

    def record_pull(self, repository: str, reference: str) -> bool:
        """Note a pull of `repository` by tag or digest; False if there is no such image."""
        key = "imageDigest" if reference.startswith("sha256:") else "imageTag"
        with self.lock:
            try:
                found = self._api.repository(self._api.backend(), repository)
                image = self._api.find_image(found, {key: reference})
            except EcrError:
                return False
            image.last_pulled_at = self._api.clock()
            return True
