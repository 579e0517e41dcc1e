"""One image as the registry holds it (`ImageSpec`), and its manifest (`ManifestLayout`).

A manifest is not stored: it is rendered from the image's seed when asked for,
byte for byte the same every time, in the shape Docker or BuildKit writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ecr_tui.demo.data.scans import ScanSpec
from ecr_tui.demo.data.seeds import fraction, noise_bytes

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
FLUX_CONFIG = "application/vnd.cncf.flux.config.v1+json"
FLUX_LAYER = "application/vnd.cncf.flux.content.v1.tar+gzip"
# What an index lists: a registry never scans it, it has no config of its own.
INDEX_MEDIA_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})

# Bytes of noise a manifest needs: counts and sizes, then up to 8 layer digests and the config's.
_MANIFEST_NOISE = 32 + 32 * 8 + 32


@dataclass(frozen=True, slots=True)
class ManifestLayout:
    """What the images of one repository are made of: media types and base layers."""

    media_type: str
    config_media_type: str
    layer_media_type: str
    base_generations: tuple[tuple[tuple[str, int], ...], ...]  # (digest, size) per base layer
    size_range: tuple[int, int]
    own_layers: tuple[int, int]
    # Rendering pieces, prepared once: a manifest is rendered for every image.
    _document: str = field(init=False, repr=False, compare=False)
    _layer: str = field(init=False, repr=False, compare=False)
    _separator: str = field(init=False, repr=False, compare=False)
    _bases: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        docker = self.media_type == DOCKER_MANIFEST
        fixed = {"MEDIA": self.media_type, "CONFIG": self.config_media_type}
        layer = _template(_DOCKER_LAYER if docker else _OCI_LAYER, TYPE=self.layer_media_type)
        separator = ",\n" if docker else ","
        bases = tuple(
            (
                separator.join(
                    layer.format(digest.removeprefix("sha256:"), size)
                    for digest, size in generation
                ),
                sum(size for _, size in generation),
            )
            for generation in self.base_generations
        )
        object.__setattr__(self, "_document", _template(_DOCKER if docker else _OCI, **fixed))
        object.__setattr__(self, "_layer", layer)
        object.__setattr__(self, "_separator", separator)
        object.__setattr__(self, "_bases", bases)

    def render(self, seed: int) -> tuple[bytes, int]:
        """The manifest bytes of the image with this seed, and its compressed size."""
        # One hash call gives every random choice: much cheaper than a seeded Random.
        noise = noise_bytes(seed, _MANIFEST_NOISE)
        low, high = self.own_layers
        own_count = low + noise[0] % (high - low + 1)
        smallest, largest = self.size_range
        target = smallest + fraction(noise, 1) * (largest - smallest)
        base_text, base_size = self._bases[seed % len(self._bases)]
        own_total = max(target - base_size, 2_000.0 * own_count)
        weights = [(noise[8 + i] / 255) ** 2 + 0.02 for i in range(own_count)]
        scale = own_total / sum(weights)
        sizes = [max(int(w * scale), 180) for w in weights]
        digests = noise[32 : 32 + 32 * own_count].hex()
        texts = [base_text] if base_text else []
        texts.extend(
            self._layer.format(digests[64 * i : 64 * i + 64], size) for i, size in enumerate(sizes)
        )
        config_size = 1_400 + int(fraction(noise, 4) * 14_600)
        text = self._document.format(noise[-32:].hex(), config_size, self._separator.join(texts))
        return text.encode(), base_size + sum(sizes)


# Manifest shapes as registries store them. Docker writes schema 2 indented by
# three spaces, BuildKit writes OCI compact; ECR keeps (and hashes) the bytes.
_DOCKER = """{
   "schemaVersion": 2,
   "mediaType": "@MEDIA@",
   "config": {
      "mediaType": "@CONFIG@",
      "size": @SIZE@,
      "digest": "@DIGEST@"
   },
   "layers": [
@LAYERS@
   ]
}"""
_DOCKER_LAYER = """      {
         "mediaType": "@TYPE@",
         "size": @SIZE@,
         "digest": "@DIGEST@"
      }"""
_OCI = (
    '{"schemaVersion":2,"mediaType":"@MEDIA@","config":{"mediaType":"@CONFIG@",'
    '"digest":"@DIGEST@","size":@SIZE@},"layers":[@LAYERS@]}'
)
_OCI_LAYER = '{"mediaType":"@TYPE@","digest":"@DIGEST@","size":@SIZE@}'


def _template(text: str, **fixed: str) -> str:
    """A str.format template: digest hex is {0}, size {1}, layers {2}; `fixed` filled in."""
    text = text.replace("{", "{{").replace("}", "}}")
    for name, value in fixed.items():
        text = text.replace(f"@{name}@", value)
    text = text.replace("@DIGEST@", "sha256:{0}")
    return text.replace("@SIZE@", "{1}").replace("@LAYERS@", "{2}")


@dataclass(frozen=True, slots=True)
class ImageExtra:
    """What only some images carry: a manifest stored as pushed, a subject, a platform, archive."""

    document: bytes | None = None  # the manifest as pushed, when no layout renders it
    subject: str | None = None  # the digest an OCI 1.1 referrer refers to
    platform: str = ""  # os/architecture[/variant] of an index's child, e.g. linux/arm/v7
    status: str = "ACTIVE"  # ECR's imageStatus: ACTIVE, ARCHIVED or ACTIVATING
    archived_at: float | None = None  # lastArchivedAt
    activated_at: float | None = None  # lastActivatedAt (the end of its last restore)
    restore_started_at: float | None = None  # ACTIVATING: when the restore was asked for


@dataclass(frozen=True, slots=True)
class ImageSpec:
    """One image (manifest) as the registry holds it."""

    digest: str  # sha256 of the manifest bytes
    tags: tuple[str, ...]
    pushed_at: float
    last_pulled_at: float | None
    size_bytes: int  # sum of the compressed layer sizes
    manifest_media_type: str
    artifact_media_type: str
    scan: ScanSpec | None
    seed: int
    layout: ManifestLayout | None  # None when `extra.document` holds the manifest
    extra: ImageExtra | None = None  # one pointer for what most images do not have

    def manifest(self) -> bytes:
        """The manifest, rebuilt from the image's seed (byte for byte the same every time)."""
        if self.extra is not None and self.extra.document is not None:
            return self.extra.document
        assert self.layout is not None  # an image has a document or a layout
        return self.layout.render(self.seed)[0]
