"""Manifests that list or point at other manifests, as the tools that push them write them.

* `docker buildx build --push` writes an OCI image index: one manifest per
  platform, and (buildx 0.10 and later) one attestation manifest per platform,
  listed with platform unknown/unknown and annotations naming the manifest it
  describes;
* `docker manifest create` + `push` writes a Docker manifest list;
* Notation, cosign, `oras attach` and SBOM tools write OCI 1.1 referrers: an
  artifact manifest whose `subject` is the image it is about.

Everything here is a pure function of its arguments: the same seed gives the
same bytes, so digests are stable across runs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass

from ecr_tui.demo.data.images import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
)
from ecr_tui.demo.data.seeds import noise_bytes

IN_TOTO = "application/vnd.in-toto+json"
NOTATION_SIGNATURE = "application/vnd.cncf.notary.signature"
COSIGN_SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json"
COSIGN_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
SPDX = "application/spdx+json"
CYCLONEDX = "application/vnd.cyclonedx+json"
EMPTY_CONFIG_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"
# The OCI "empty descriptor": the config of an artifact that has none, `{}`.
EMPTY_CONFIG = {
    "mediaType": EMPTY_CONFIG_MEDIA_TYPE,
    "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest(),
    "size": 2,
}
PROVENANCE_PREDICATE = "https://slsa.dev/provenance/v0.2"
SPDX_PREDICATE = "https://spdx.dev/Document"


@dataclass(frozen=True, slots=True)
class Manifest:
    """A manifest as pushed: its bytes, digest, media type and the size ECR reports."""

    document: bytes
    media_type: str
    size: int  # ECR's imageSizeInBytes: the layers' total, or the document for an index
    artifact_type: str = ""  # ECR's artifactMediaType ("" for an index)

    @property
    def digest(self) -> str:
        """sha256 of the bytes, as every registry computes it."""
        return "sha256:" + hashlib.sha256(self.document).hexdigest()

    def descriptor(self) -> dict[str, object]:
        """The OCI descriptor that points at this manifest."""
        return {"mediaType": self.media_type, "digest": self.digest, "size": len(self.document)}


def _compact(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _digest(noise: bytes) -> str:
    return "sha256:" + hashlib.sha256(noise).hexdigest()


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def platform_json(platform: str) -> dict[str, str]:
    """`linux/arm/v7` as an OCI platform object (architecture, os, variant)."""
    os_name, architecture, *variant = platform.split("/")
    found = {"architecture": architecture, "os": os_name}
    if variant:
        found["variant"] = variant[0]
    return found


def image_index(children: list[tuple[str, Manifest]], attestations: list[Manifest]) -> Manifest:
    """buildx's OCI index: one manifest per platform, then one attestation per platform.

    `attestations[i]` describes `children[i]` (buildx writes them in that order).
    """
    manifests: list[dict[str, object]] = []
    for platform, child in children:
        manifests.append({**child.descriptor(), "platform": platform_json(platform)})
    for (_, child), attestation in zip(children, attestations, strict=False):
        manifests.append(
            {
                **attestation.descriptor(),
                "annotations": {
                    "vnd.docker.reference.digest": child.digest,
                    "vnd.docker.reference.type": "attestation-manifest",
                },
                "platform": {"architecture": "unknown", "os": "unknown"},
            }
        )
    document = _compact({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})
    return Manifest(document, OCI_INDEX, len(document))


def manifest_list(children: list[tuple[str, Manifest]]) -> Manifest:
    """`docker manifest push`'s Docker manifest list, indented as Docker writes JSON."""
    manifests = [
        {
            "mediaType": DOCKER_MANIFEST,
            "size": len(child.document),
            "digest": child.digest,
            "platform": platform_json(platform),
        }
        for platform, child in children
    ]
    document = json.dumps(
        {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST_LIST, "manifests": manifests}, indent=3
    ).encode()
    return Manifest(document, DOCKER_MANIFEST_LIST, len(document))


def attestation_manifest(seed: int, with_sbom: bool) -> Manifest:
    """buildx's attestation manifest: SLSA provenance, and an SPDX SBOM with `--sbom=true`."""
    noise = noise_bytes(seed, 48)
    layers = [
        {
            "mediaType": IN_TOTO,
            "digest": _digest(noise[:16]),
            "size": 1_400 + int.from_bytes(noise[16:18], "big") % 9_000,
            "annotations": {"in-toto.io/predicate-type": PROVENANCE_PREDICATE},
        }
    ]
    if with_sbom:
        layers.append(
            {
                "mediaType": IN_TOTO,
                "digest": _digest(noise[18:34]),
                "size": 60_000 + int.from_bytes(noise[34:37], "big") % 400_000,
                "annotations": {"in-toto.io/predicate-type": SPDX_PREDICATE},
            }
        )
    config = {
        "mediaType": OCI_CONFIG,
        "digest": _digest(noise[37:]),
        "size": 167 + 74 * len(layers),
    }
    document = _compact(
        {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": layers}
    )
    size = sum(int(str(layer["size"])) for layer in layers)
    return Manifest(document, OCI_MANIFEST, size, OCI_CONFIG)


def referrer(kind: str, subject: Manifest, seed: int, created_at: float) -> Manifest:
    """An OCI 1.1 referrer of `subject`: a signature, an SBOM or an attestation.

    `kind` is its artifact type (NOTATION_SIGNATURE, COSIGN_SIGNATURE, SPDX,
    CYCLONEDX or IN_TOTO).
    """
    noise = noise_bytes(seed, 96)
    layer: dict[str, object] = {"mediaType": kind, "digest": _digest(noise[:16])}
    annotations = {"org.opencontainers.image.created": _iso(created_at)}
    if kind == NOTATION_SIGNATURE:
        layer.update(mediaType="application/jose+json", size=2_000 + noise[16] * 4)
        annotations["io.cncf.notary.x509chain.thumbprint#S256"] = json.dumps(
            [hashlib.sha256(noise[17:33]).hexdigest()]
        )
    elif kind == COSIGN_SIGNATURE:
        signature = base64.b64encode(b"\x30\x45\x02\x21" + noise[33:96]).decode()
        layer.update(
            mediaType=COSIGN_SIMPLESIGNING,
            size=240 + noise[16] % 40,
            annotations={"dev.cosignproject.cosign/signature": signature},
        )
    elif kind in (SPDX, CYCLONEDX):
        layer["size"] = 40_000 + int.from_bytes(noise[16:19], "big") % 600_000
    else:  # an in-toto attestation (SLSA provenance)
        layer["size"] = 3_000 + int.from_bytes(noise[16:18], "big") % 20_000
        annotations["in-toto.io/predicate-type"] = "https://slsa.dev/provenance/v1"
    document = _compact(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": kind,
            "config": EMPTY_CONFIG,
            "layers": [layer],
            "subject": subject.descriptor(),
            "annotations": annotations,
        }
    )
    return Manifest(document, OCI_MANIFEST, int(str(layer["size"])), kind)


def cosign_tag_signature(seed: int) -> Manifest:
    """A signature as cosign wrote it before OCI 1.1: an image tagged `sha256-<digest>.sig`."""
    noise = noise_bytes(seed, 96)
    signature = base64.b64encode(b"\x30\x44\x02\x20" + noise[32:96]).decode()
    size = 250 + noise[0] % 30
    layer = {
        "mediaType": COSIGN_SIMPLESIGNING,
        "size": size,
        "digest": _digest(noise[1:17]),
        "annotations": {"dev.cosignproject.cosign/signature": signature},
    }
    config = {
        "mediaType": OCI_CONFIG,
        "size": 233 + noise[17] % 20,
        "digest": _digest(noise[18:32]),
    }
    document = _compact(
        {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]}
    )
    return Manifest(document, OCI_MANIFEST, size, OCI_CONFIG)


def cosign_signature_tag(subject_digest: str) -> str:
    """The tag cosign gives a signature of `subject_digest`."""
    return subject_digest.replace(":", "-") + ".sig"
