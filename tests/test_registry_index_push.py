"""A multi-platform image pushed through the demo's real registry, as buildx pushes one.

The blobs, the two platform manifests and the OCI index are built here, offline,
and pushed with the registry API (basic auth with the ECR token, plain HTTP on
loopback): the demo's ECR must then list the index and each platform's image
as ECR does, serve the index only to who accepts it, and refuse to serve an
archived image (404), as ECR does.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import io
import json
import tarfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import boto3
import pytest

from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.demo.registry.demo_registry import attach_demo_registry
from ecr_tui.demo.registry.server import RegistryError

ACCOUNT_ID = "555566667777"
REPOSITORY = "apps/multiarch"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
RESTORE_SECONDS = 0.5


@dataclass
class Registry:
    """The registry behind the demo's ECR, reached as Docker reaches it."""

    host: str
    authorization: str  # Basic base64(AWS:password), from GetAuthorizationToken
    ecr: Any

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        address, port = self.host.rsplit(":", 1)
        connection = http.client.HTTPConnection(address, int(port), timeout=30)
        try:
            sent = {"Authorization": self.authorization, **(headers or {})}
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def upload_blob(self, data: bytes) -> str:
        """A monolithic blob upload (POST, then PUT with the digest); the digest."""
        digest = _digest(data)
        status, headers, _ = self.request("POST", f"/v2/{REPOSITORY}/blobs/uploads/")
        assert status == 202, status
        location = urljoin(f"http://{self.host}/", headers["Location"])
        parts = urlsplit(location)
        path = f"{parts.path}?{parts.query}&digest={digest}" if parts.query else parts.path
        status, _, body = self.request(
            "PUT", path, body=data, headers={"Content-Type": "application/octet-stream"}
        )
        assert status == 201, (status, body)
        return digest

    def put_manifest(self, reference: str, document: bytes, media_type: str) -> str:
        status, headers, body = self.request(
            "PUT",
            f"/v2/{REPOSITORY}/manifests/{reference}",
            body=document,
            headers={"Content-Type": media_type},
        )
        assert status == 201, (status, body)
        return headers["Docker-Content-Digest"]


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _compact(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _layer(text: str) -> tuple[bytes, bytes]:
    """A tiny gzipped tar layer and its uncompressed tar (for the config's diff_ids)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        content = text.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime = len(content), 1_700_000_000
        archive.addfile(info, io.BytesIO(content))
    tar = buffer.getvalue()
    return gzip.compress(tar, mtime=0), tar


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    with ExitStack() as running:
        local_ecr = LocalEcr(account_id=ACCOUNT_ID, restore_seconds=RESTORE_SECONDS)
        local_ecr.start()
        running.callback(local_ecr.stop)
        try:
            demo_registry = attach_demo_registry(local_ecr)
        except RegistryError as error:
            pytest.fail(f"the demo registry did not start: {error}", pytrace=False)
        running.callback(demo_registry.close)
        ecr = boto3.client(
            "ecr",
            endpoint_url=local_ecr.url,
            region_name="us-east-1",
            aws_access_key_id="demo",
            aws_secret_access_key="demo",
        )
        ecr.create_repository(
            repositoryName=REPOSITORY, imageScanningConfiguration={"scanOnPush": True}
        )
        token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
        assert base64.b64decode(token).startswith(b"AWS:")
        yield Registry(demo_registry.host, f"Basic {token}", ecr)


def _push_platform(registry: Registry, os_name: str, architecture: str) -> tuple[bytes, int]:
    """One platform's image: its layer and config blobs, then its manifest (untagged)."""
    compressed, tar = _layer(f"hello from {os_name}/{architecture}\n")
    config = _compact(
        {
            "architecture": architecture,
            "os": os_name,
            "config": {"Cmd": ["/bin/true"]},
            "rootfs": {"type": "layers", "diff_ids": [_digest(tar)]},
        }
    )
    layer_digest = registry.upload_blob(compressed)
    config_digest = registry.upload_blob(config)
    manifest = _compact(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": len(compressed)}],
        }
    )
    assert registry.put_manifest(_digest(manifest), manifest, OCI_MANIFEST) == _digest(manifest)
    return manifest, len(compressed)


@pytest.mark.docker
def test_a_pushed_index_is_listed_as_ecr_lists_it(registry: Registry) -> None:
    platforms = [("linux", "amd64"), ("linux", "arm64")]
    children = [_push_platform(registry, *platform) for platform in platforms]
    index = _compact(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": _digest(manifest),
                    "size": len(manifest),
                    "platform": {"architecture": architecture, "os": os_name},
                }
                for (manifest, _), (os_name, architecture) in zip(children, platforms, strict=True)
            ],
        }
    )
    assert registry.put_manifest("1.0", index, OCI_INDEX) == _digest(index)

    details = registry.ecr.describe_images(repositoryName=REPOSITORY)["imageDetails"]
    by_digest = {d["imageDigest"]: d for d in details}
    assert set(by_digest) == {_digest(index), *(_digest(m) for m, _ in children)}
    listed_index = by_digest[_digest(index)]
    assert listed_index["imageTags"] == ["1.0"]
    assert listed_index["imageManifestMediaType"] == OCI_INDEX
    assert listed_index["imageSizeInBytes"] == len(index)  # the document itself
    assert "artifactMediaType" not in listed_index and "imageScanStatus" not in listed_index
    for manifest, layer_size in children:
        child = by_digest[_digest(manifest)]
        assert "imageTags" not in child  # each platform's image is listed untagged
        assert child["imageManifestMediaType"] == OCI_MANIFEST
        assert child["artifactMediaType"] == OCI_CONFIG
        assert child["imageSizeInBytes"] == layer_size
        assert child["imageScanStatus"]["status"] == "IN_PROGRESS"  # scanned on push, each

    served = registry.ecr.batch_get_image(
        repositoryName=REPOSITORY,
        imageIds=[{"imageTag": "1.0"}],
        acceptedMediaTypes=[OCI_INDEX, OCI_MANIFEST],
    )["images"][0]
    assert served["imageManifest"].encode() == index  # byte for byte, as pushed
    assert served["imageManifestMediaType"] == OCI_INDEX
    plain = registry.ecr.batch_get_image(repositoryName=REPOSITORY, imageIds=[{"imageTag": "1.0"}])[
        "images"
    ][0]
    assert plain["imageManifest"].encode() == children[0][0]  # linux/amd64 for the rest


@pytest.mark.docker
def test_an_archived_image_cannot_be_pulled_until_restored(registry: Registry) -> None:
    manifest, _ = _push_platform(registry, "linux", "s390x")
    registry.put_manifest("archive-me", manifest, OCI_MANIFEST)
    path = f"/v2/{REPOSITORY}/manifests/archive-me"
    accept = {"Accept": OCI_MANIFEST}
    assert registry.request("GET", path, headers=accept)[0] == 200

    image_id = {"imageTag": "archive-me"}
    registry.ecr.update_image_storage_class(
        repositoryName=REPOSITORY, imageId=image_id, targetStorageClass="ARCHIVE"
    )
    status, _, body = registry.request("GET", path, headers=accept)
    assert status == 404 and json.loads(body)["errors"][0]["code"] == "MANIFEST_UNKNOWN"
    assert registry.request("HEAD", f"/v2/{REPOSITORY}/manifests/{_digest(manifest)}")[0] == 404

    registry.ecr.update_image_storage_class(
        repositoryName=REPOSITORY, imageId=image_id, targetStorageClass="STANDARD"
    )
    assert registry.request("GET", path, headers=accept)[0] == 404  # still ACTIVATING
    time.sleep(RESTORE_SECONDS + 0.2)
    status, headers, _ = registry.request("GET", path, headers=accept)
    assert status == 200 and headers["Docker-Content-Digest"] == _digest(manifest)
