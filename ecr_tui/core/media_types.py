"""What an ECR manifest is, told from its media types (as DescribeImages reports them).

A repository holds more than container images: image indexes (one manifest per
platform, `docker buildx` pushes one by default), OCI 1.1 referrers (signatures,
SBOMs, attestations about another manifest, `subjectManifestDigest`), and
artifacts that are not images at all (Helm charts, WASM modules). ECR tells
them apart only by `imageManifestMediaType`, `artifactMediaType` (the config's
media type, or the manifest's `artifactType`) and `subjectManifestDigest`.
"""

from __future__ import annotations

import enum

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"

INDEX_MEDIA_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})

# Every manifest kind: asked for all of them, BatchGetImage hands back each manifest as
# pushed (an index as an index), never a converted one.
ALL_MANIFEST_MEDIA_TYPES: tuple[str, ...] = (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_MANIFEST,
    OCI_INDEX,
)

# The config of a container image: such a manifest is an image, not another artifact.
IMAGE_CONFIG_MEDIA_TYPES = frozenset(
    {
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.docker.container.image.v1+json",
    }
)

# The annotation buildx puts on an index's descriptor of an attestation manifest
# (provenance, SBOM), whose platform is unknown/unknown.
ATTESTATION_REFERENCE_TYPE = "vnd.docker.reference.type"
ATTESTATION_MANIFEST = "attestation-manifest"
ATTESTATION_REFERENCE_DIGEST = "vnd.docker.reference.digest"


class ImageKind(enum.Enum):
    """What a manifest in a repository is."""

    IMAGE = "image"  # a single-platform container image
    INDEX = "index"  # an OCI image index or a Docker manifest list
    PLATFORM = "platform"  # a platform's image, listed by an index the app has read
    ATTESTATION_MANIFEST = "attestation manifest"  # buildx provenance / SBOM, in an index
    REFERRER = "referrer"  # an OCI 1.1 artifact about another manifest
    ARTIFACT = "artifact"  # not a container image: a Helm chart, a WASM module, ...


class ReferrerKind(enum.Enum):
    """What a referrer says about its subject (the badge it gives it)."""

    SIGNATURE = "signature"
    SBOM = "SBOM"
    ATTESTATION = "attestation"
    OTHER = "other"


# Substrings of artifact types, in the order they are tried.
_REFERRER_HINTS: tuple[tuple[str, ReferrerKind], ...] = (
    ("notary.signature", ReferrerKind.SIGNATURE),
    ("cosign.artifact.sig", ReferrerKind.SIGNATURE),
    ("sigstore.bundle", ReferrerKind.SIGNATURE),
    ("signature", ReferrerKind.SIGNATURE),
    ("spdx", ReferrerKind.SBOM),
    ("cyclonedx", ReferrerKind.SBOM),
    ("syft", ReferrerKind.SBOM),
    ("sbom", ReferrerKind.SBOM),
    ("in-toto", ReferrerKind.ATTESTATION),
    ("attestation", ReferrerKind.ATTESTATION),
    ("provenance", ReferrerKind.ATTESTATION),
    ("slsa", ReferrerKind.ATTESTATION),
    ("vex", ReferrerKind.ATTESTATION),
)

# Artifacts that are not container images, by their config (or artifact) media type.
_ARTIFACT_NAMES: dict[str, str] = {
    "application/vnd.cncf.helm.config.v1+json": "Helm chart",
    "application/vnd.wasm.config.v0+json": "WASM module",
    "application/vnd.wasm.config.v1+json": "WASM module",
    "application/vnd.module.wasm.config.v1+json": "WASM module",
    "application/vnd.cncf.flux.config.v1+json": "Flux config",
    "application/vnd.cncf.openpolicyagent.config.v1+json": "OPA bundle",
    "application/vnd.oci.empty.v1+json": "OCI artifact",
}


def image_kind(media_type: str, artifact_media_type: str, subject_digest: str) -> ImageKind:
    """What DescribeImages' fields say a manifest is (an index's children are told
    apart only by the index itself: see `IndexManifest`)."""
    if subject_digest:
        return ImageKind.REFERRER
    if media_type in INDEX_MEDIA_TYPES:
        return ImageKind.INDEX
    if not artifact_media_type or artifact_media_type in IMAGE_CONFIG_MEDIA_TYPES:
        return ImageKind.IMAGE
    return ImageKind.ARTIFACT


def referrer_kind(artifact_type: str) -> ReferrerKind:
    """What kind of referrer an artifact type names (unknown ones are OTHER)."""
    lowered = artifact_type.lower()
    for hint, kind in _REFERRER_HINTS:
        if hint in lowered:
            return kind
    return ReferrerKind.OTHER


def artifact_name(artifact_type: str) -> str:
    """A short name for an artifact type: 'Helm chart', else the type's own name."""
    known = _ARTIFACT_NAMES.get(artifact_type)
    if known:
        return known
    # application/vnd.example.thing.config.v1+json -> "example.thing"
    name = artifact_type.rsplit("/", 1)[-1].split("+", 1)[0]
    name = name.removeprefix("vnd.")
    for suffix in (".config.v1", ".config.v0", ".v1", ".v0", ".config"):
        name = name.removesuffix(suffix)
    return name or "artifact"


def is_index(media_type: str) -> bool:
    """True for an OCI image index or a Docker manifest list."""
    return media_type in INDEX_MEDIA_TYPES
