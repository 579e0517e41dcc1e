"""Deterministic, realistic registry content for the demo, the tests and the benchmarks.

Nothing here knows about moto or HTTP: this module only describes what a
registry holds, and `ecr_tui.demo.local_ecr` serves it. The same seed always
gives the same repositories, images, digests and findings; timestamps are
offsets from `now`, so the content always looks recent.

It is built to scale (2,000 repositories, one of them with 100,000 images):
images are produced by a generator, a manifest is rebuilt from its image's seed
when asked for, and findings are derived on demand from a per-repository pool,
so nothing large is stored per image.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

DAY = 86_400.0
MB = 1_000_000

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

# ECR's own wording for scan states.
SCAN_COMPLETE = "The scan was completed successfully."
SCAN_CONTINUOUS = "Continuous scan is selected for image."
SCAN_UNSUPPORTED = (
    "UnsupportedImageError: The operating system and/or package manager are not supported."
)

BASIC_SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")
# Enhanced scanning (Amazon Inspector) calls not-yet-rated findings UNTRIAGED.
ENHANCED_SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED")
_SEVERITY_SHARE = (0.03, 0.16, 0.40, 0.28, 0.05, 0.08)
_COUNTS_SALT = 0x5CA9_C0DE


# -- workload kinds --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Kind:
    """What a repository holds; drives sizes, layers, tags and findings."""

    family: str  # OS package family: alpine, debian, ubuntu, scratch, helm
    ecosystem: str  # language packages only enhanced scanning sees ("" for none)
    size_mb: tuple[float, float]  # compressed image size range
    layers: tuple[int, int]
    base_layers: int  # leading layers shared by images built on the same base
    findings: float  # typical number of findings in one image
    tag_style: str  # app, base, cache, chart
    oci: float  # share of images pushed as OCI (BuildKit) rather than Docker v2


_KINDS: dict[str, _Kind] = {
    "go": _Kind("alpine", "GOBINARY", (8, 35), (3, 6), 2, 4, "app", 0.5),
    "nginx": _Kind("alpine", "", (10, 26), (6, 8), 5, 6, "base", 0.0),
    "static": _Kind("scratch", "GOBINARY", (5, 20), (1, 3), 0, 0, "app", 0.7),
    "node": _Kind("debian", "NODEPKG", (60, 180), (6, 11), 4, 45, "app", 0.3),
    "python": _Kind("debian", "PYTHONPKG", (50, 260), (5, 10), 4, 60, "app", 0.3),
    "jvm": _Kind("ubuntu", "JAR", (120, 380), (5, 9), 4, 35, "app", 0.2),
    "ml": _Kind("ubuntu", "PYTHONPKG", (800, 1500), (8, 14), 6, 170, "app", 0.1),
    "ci": _Kind("debian", "", (300, 900), (8, 14), 6, 110, "cache", 0.9),
    "helm": _Kind("helm", "", (0.004, 0.06), (1, 1), 0, 0, "chart", 1.0),
}


@dataclass(frozen=True, slots=True)
class _Curated:
    name: str
    kind: str
    images: int  # 0: the big repository, sized by the caller
    mutability: str = "MUTABLE"
    scan_on_push: bool = True
    kms: bool = False
    enhanced: bool = False


# The hand-written part of the registry, most telling first so that a small
# dataset (tests) still holds every feature: big repository, enhanced findings,
# failed and unsupported scans, Helm artifacts, KMS, immutable tags.
_CURATED: tuple[_Curated, ...] = (
    _Curated("payments/api", "jvm", 42, "IMMUTABLE", kms=True, enhanced=True),
    _Curated("platform/nginx-base", "nginx", 24),
    _Curated("platform/build-cache", "ci", 0, scan_on_push=True),
    _Curated("web/storefront", "node", 55, enhanced=True),
    _Curated("data/etl-runner", "python", 31, scan_on_push=False),
    _Curated("ml/inference-server", "ml", 18, "IMMUTABLE", kms=True, enhanced=True),
    _Curated("platform/distroless-static", "static", 12),
    _Curated("platform/helm-charts", "helm", 26, "IMMUTABLE", scan_on_push=False),
    _Curated("identity/auth-service", "go", 38, "IMMUTABLE"),
    _Curated("payments/ledger-service", "jvm", 27, kms=True),
    _Curated("payments/fraud-scorer", "python", 21),
    _Curated("payments/webhooks", "go", 17, scan_on_push=False),
    _Curated("platform/python-base", "python", 14),
    _Curated("platform/node-base", "node", 11),
    _Curated("platform/jdk-base", "jvm", 9, scan_on_push=False),
    _Curated("platform/otel-collector", "go", 16),
    _Curated("data/airflow", "python", 23, kms=True),
    _Curated("data/kafka-connect", "jvm", 12, "IMMUTABLE"),
    _Curated("data/dbt-runner", "python", 19, scan_on_push=False),
    _Curated("data/spark-jobs", "jvm", 34, kms=True),
    _Curated("identity/user-profile", "node", 29),
    _Curated("identity/keycloak", "jvm", 8, scan_on_push=False),
    _Curated("search/indexer", "jvm", 25, "IMMUTABLE"),
    _Curated("search/query-api", "go", 33),
    _Curated("search/opensearch-plugins", "jvm", 7, scan_on_push=False),
    _Curated("ml/training-gpu", "ml", 13, kms=True),
    _Curated("ml/feature-store", "python", 20),
    _Curated("ml/notebook", "ml", 6, scan_on_push=False),
    _Curated("web/admin-console", "node", 22),
    _Curated("web/image-resizer", "go", 15, scan_on_push=False),
    _Curated("mobile/push-gateway", "go", 18, "IMMUTABLE"),
    _Curated("mobile/api-gateway", "node", 26),
    _Curated("security/scanner-agent", "go", 10, kms=True),
    _Curated("security/vault-sidecar", "static", 9, "IMMUTABLE"),
    _Curated("infra/terraform-runner", "go", 14, scan_on_push=False),
    _Curated("infra/ci-runner", "ci", 28),
)
BIG_REPOSITORY = "platform/build-cache"

_TEAMS = ("payments", "platform", "data", "identity", "search", "ml", "web", "mobile", "infra")
_WORDS_A = (
    "order", "billing", "invoice", "catalog", "inventory", "pricing", "checkout", "report",
    "notify", "audit", "session", "profile", "ledger", "quote", "shipping", "metrics",
)  # fmt: skip
_WORDS_B = (
    "api", "worker", "service", "consumer", "gateway", "scheduler", "sync", "exporter",
    "processor", "cron", "proxy", "adapter",
)  # fmt: skip
_GENERATED_KINDS = ("go", "go", "node", "node", "python", "python", "jvm", "jvm", "static", "ml")


# -- public records ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """One vulnerable package in an image, as a scanner reports it."""

    cve: str
    severity: str  # one of BASIC_SEVERITIES; enhanced rendering maps UNDEFINED to UNTRIAGED
    package: str
    version: str
    fixed_in: str  # "" when no fix is released yet
    package_manager: str  # OS, JAR, PYTHONPKG, NODEPKG, GOBINARY (Inspector's names)
    file_path: str  # where a language package sits in the image ("" for OS packages)
    cvss_version: str  # "3.1", "2.0" or "" when the finding is not rated
    score: float | None
    vector: str
    description: str
    uri: str  # the scanner's reference: the distribution's tracker or NVD
    published_at: float
    exploit_available: bool


@dataclass(frozen=True, slots=True)
class ScanProfile:
    """How images of one repository scan: which packages, how many findings."""

    family: str
    ecosystem: str
    enhanced: bool
    typical_findings: float
    vulnerability_seed: int

    @classmethod
    def default(cls, repository: str) -> ScanProfile:
        """A Debian-based image: what a repository created at run time is taken to hold."""
        return cls("debian", "", False, 40.0, _stable_seed(repository))

    @property
    def supported(self) -> bool:
        """Whether basic scanning can read this image's packages at all."""
        return self.family not in ("scratch", "helm")

    def scan(self, image_seed: int, started_at: float, finished_at: float) -> ScanSpec:
        """The outcome of a scan started at `started_at` that ends at `finished_at`."""
        if self.enhanced:
            status, description = "ACTIVE", SCAN_CONTINUOUS
        elif not self.supported:
            status, description = "FAILED", SCAN_UNSUPPORTED
        else:
            status, description = "COMPLETE", SCAN_COMPLETE
        counts = self.severity_counts(image_seed, age_days=0) if status != "FAILED" else ()
        updated = finished_at - 3_600 - image_seed % (19 * 3_600)
        return ScanSpec(status, description, started_at, finished_at, updated, counts, self)

    def severity_counts(self, image_seed: int, age_days: float) -> tuple[tuple[str, int], ...]:
        """Findings per severity for one scan; images built long ago carry more."""
        noise = _noise(image_seed ^ _COUNTS_SALT, 8)
        names = ENHANCED_SEVERITIES if self.enhanced else BASIC_SEVERITIES
        total = self.typical_findings * (1.0 + min(age_days, 400.0) / 250.0)
        total *= (0.45 + 1.1 * noise[0] / 255) / 255
        jitter = noise[7] / 255
        counts = (
            (name, int(total * share * (127 + byte) + jitter))
            for name, share, byte in zip(names, _SEVERITY_SHARE, noise[1:7], strict=True)
        )
        return tuple((name, count) for name, count in counts if count)


@dataclass(frozen=True, slots=True)
class ScanSpec:
    """An image's latest scan.

    `status` is where the scan ends up; while `completed_at` lies in the future
    the scan is still running. A scan that is IN_PROGRESS with no
    `completed_at` never finishes (a stuck scan, as real registries have).
    """

    status: str  # COMPLETE, ACTIVE, FAILED or IN_PROGRESS
    description: str
    started_at: float
    completed_at: float | None
    source_updated_at: float | None
    severity_counts: tuple[tuple[str, int], ...]
    profile: ScanProfile


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
        noise = _noise(seed, _MANIFEST_NOISE)
        low, high = self.own_layers
        own_count = low + noise[0] % (high - low + 1)
        smallest, largest = self.size_range
        target = smallest + _fraction(noise, 1) * (largest - smallest)
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
        config_size = 1_400 + int(_fraction(noise, 4) * 14_600)
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
    layout: ManifestLayout

    def manifest(self) -> bytes:
        """The manifest, rebuilt from the image's seed (byte for byte the same every time)."""
        return self.layout.render(self.seed)[0]


@dataclass(frozen=True, slots=True)
class RepositorySpec:
    """One repository and the recipe for its images."""

    name: str
    kind: str
    created_at: float
    tag_mutability: str  # MUTABLE or IMMUTABLE
    scan_on_push: bool
    encryption: str  # AES256 or KMS
    kms_key_id: str | None  # a key id; the server turns it into an ARN
    image_count: int
    seed: int
    now: float
    profile: ScanProfile

    def images(self) -> Iterator[ImageSpec]:
        """The repository's images, oldest push first (generated, not stored)."""
        return _ImageBuilder(self).build()


@dataclass(frozen=True, slots=True)
class Dataset:
    """A whole registry's content."""

    repositories: tuple[RepositorySpec, ...]
    now: float
    seed: int
    image_count: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "image_count", sum(r.image_count for r in self.repositories))

    def repository(self, name: str) -> RepositorySpec:
        """The repository with this name (KeyError if absent)."""
        for repository in self.repositories:
            if repository.name == name:
                return repository
        raise KeyError(name)


def build_dataset(
    repositories: int = 36,
    big_repository_images: int = 5000,
    seed: int = 7,
    now: float | None = None,
) -> Dataset:
    """Describe a registry of `repositories` repositories, all timestamps before `now`.

    `platform/build-cache` holds `big_repository_images` images and is always
    part of the registry when that number is positive. Past the 36 hand-written
    repositories, more are generated with team/service names.
    """
    if repositories < 0 or big_repository_images < 0:
        raise ValueError("repository and image counts cannot be negative")
    now = time.time() if now is None else now
    rng = random.Random(seed)
    curated = [c for c in _CURATED if c.name != BIG_REPOSITORY or big_repository_images > 0]
    if repositories < len(curated):
        keep = curated[:repositories]
        big = next((c for c in curated if c.name == BIG_REPOSITORY), None)
        if big is not None and big not in keep and keep:
            keep[-1] = big
        curated = keep
    specs = [_repository_spec(c, big_repository_images, rng, now) for c in curated]
    taken = {s.name for s in specs}
    while len(specs) < repositories:
        name = base = f"{rng.choice(_TEAMS)}/{rng.choice(_WORDS_A)}-{rng.choice(_WORDS_B)}"
        suffix = 1
        while name in taken:
            suffix += 1
            name = f"{base}-{suffix}"
        taken.add(name)
        generated = _Curated(
            name,
            rng.choice(_GENERATED_KINDS),
            rng.randint(2, 24),
            "IMMUTABLE" if rng.random() < 0.3 else "MUTABLE",
            scan_on_push=rng.random() < 0.6,
            kms=rng.random() < 0.2,
        )
        specs.append(_repository_spec(generated, big_repository_images, rng, now))
    return Dataset(tuple(specs), now, seed)


def _repository_spec(
    c: _Curated, big_images: int, rng: random.Random, now: float
) -> RepositorySpec:
    kind = _KINDS[c.kind]
    repo_seed = rng.getrandbits(63)
    age_days = rng.uniform(200, 730) if c.images else 540
    profile = ScanProfile(
        kind.family,
        kind.ecosystem,
        c.enhanced,
        kind.findings,
        _stable_seed(f"{c.kind}/{repo_seed % 5}"),  # a few pools per kind: shared base images
    )
    return RepositorySpec(
        name=c.name,
        kind=c.kind,
        created_at=now - age_days * DAY - rng.uniform(0, DAY),
        tag_mutability=c.mutability,
        scan_on_push=c.scan_on_push,
        encryption="KMS" if c.kms else "AES256",
        kms_key_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)) if c.kms else None,
        image_count=c.images or big_images,
        seed=repo_seed,
        now=now,
        profile=profile,
    )


# -- images ------------------------------------------------------------------------------------


class _ImageBuilder:
    """Turns a repository's recipe into images; one pass, nothing kept."""

    def __init__(self, repo: RepositorySpec) -> None:
        self.repo = repo
        self.kind = _KINDS[repo.kind]
        self.rng = random.Random(repo.seed)
        self.layouts = self._layouts()

    def _layouts(self) -> tuple[ManifestLayout, ManifestLayout]:
        kind, rng = self.kind, self.rng
        # Three generations of the base image, each shared by many images.
        base_layer_size = kind.size_mb[0] * MB / max(kind.base_layers, 1)
        generations = tuple(
            tuple(
                (_digest(rng), int(rng.uniform(0.4, 1.0) * base_layer_size))
                for _ in range(kind.base_layers)
            )
            for _ in range(3)
        )
        size = (int(kind.size_mb[0] * MB), int(kind.size_mb[1] * MB))
        own = (max(kind.layers[0] - kind.base_layers, 1), max(kind.layers[1] - kind.base_layers, 1))
        if kind.family == "helm":
            return (ManifestLayout(OCI_MANIFEST, HELM_CONFIG, HELM_LAYER, ((),), size, own),) * 2
        docker = ManifestLayout(
            DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER, generations, size, own
        )
        oci = ManifestLayout(OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, generations, size, own)
        return docker, oci

    def build(self) -> Iterator[ImageSpec]:
        repo, kind, rng = self.repo, self.kind, self.rng
        count = repo.image_count
        if not count:
            return
        span = max(repo.now - repo.created_at - 3_600, 3_600)
        # Recent weeks are busier than last year: ages bunch up near zero.
        ages = sorted((span * rng.random() ** 1.8 for _ in range(count)), reverse=True)
        ages[-1] = min(ages[-1], rng.uniform(600, 3 * 3_600))
        immutable = repo.tag_mutability == "IMMUTABLE"
        tags = _TagPlan(kind.tag_style, immutable, count, rng, repo.now).tags
        profile = repo.profile
        stuck = repo.scan_on_push and profile.supported and not profile.enhanced
        stuck = stuck and rng.random() < 0.25
        for index, age in enumerate(ages):
            pushed_at = repo.now - age
            newest = index == count - 1
            if newest and stuck:
                pushed_at = repo.now - rng.uniform(40, 300)
            seed = rng.getrandbits(62)
            layout = self.layouts[rng.random() < kind.oci]
            manifest, size = layout.render(seed)
            yield ImageSpec(
                digest="sha256:" + hashlib.sha256(manifest).hexdigest(),
                tags=tags[index],
                pushed_at=pushed_at,
                last_pulled_at=self._last_pull(pushed_at, tags[index]),
                size_bytes=size,
                manifest_media_type=layout.media_type,
                artifact_media_type=layout.config_media_type,
                scan=self._scan(pushed_at, seed, stuck and newest),
                seed=seed,
                layout=layout,
            )

    def _last_pull(self, pushed_at: float, tags: tuple[str, ...]) -> float | None:
        now, rng = self.repo.now, self.rng
        age = now - pushed_at
        if tags and tags[0] in ("latest", "prod", "staging"):
            return now - rng.uniform(0.0, min(DAY, age))  # deployed: pulled all the time
        chance = 0.1 if not tags else (0.75 if age < 30 * DAY else 0.3)
        if rng.random() >= chance:
            return None
        return pushed_at + age * float(rng.random() ** 0.3)

    def _scan(self, pushed_at: float, seed: int, stuck: bool) -> ScanSpec | None:
        repo, rng = self.repo, self.rng
        profile = repo.profile
        age_days = (repo.now - pushed_at) / DAY
        if stuck:
            return ScanSpec("IN_PROGRESS", "", pushed_at + 5, None, None, (), profile)
        if profile.enhanced:
            # Continuous scanning re-evaluates every image as the feeds change.
            done = max(repo.now - rng.uniform(600, 20 * 3_600), pushed_at + 90)
            counts = profile.severity_counts(seed, age_days)
            updated = done - rng.uniform(600, 6 * 3_600)
            return ScanSpec(
                "ACTIVE", SCAN_CONTINUOUS, pushed_at + 30, done, updated, counts, profile
            )
        if repo.scan_on_push:
            started = pushed_at + rng.uniform(2, 20)
        elif rng.random() < 0.3 and profile.family != "helm":
            started = pushed_at + (repo.now - pushed_at) * rng.random()
        else:
            return None
        done = started + rng.uniform(20, 150)
        if not profile.supported:
            return ScanSpec("FAILED", SCAN_UNSUPPORTED, started, done, None, (), profile)
        counts = profile.severity_counts(seed, (started - pushed_at) / DAY)
        updated = done - rng.uniform(3_600, 20 * 3_600)
        return ScanSpec("COMPLETE", SCAN_COMPLETE, started, done, updated, counts, profile)


class _TagPlan:
    """Tags for a repository's images, oldest first, the way teams tag them."""

    def __init__(
        self, style: str, immutable: bool, count: int, rng: random.Random, now: float
    ) -> None:
        self.rng = rng
        self.tags: list[tuple[str, ...]] = []
        version = [rng.randint(0, 3), rng.randint(0, 9), 0]
        prefix = "v" if rng.random() < 0.4 else ""
        releases: list[int] = []
        moving: list[int] = []
        for index in range(count):
            roll = rng.random()
            if style == "chart" or (style != "cache" and roll < 0.3):
                _bump(version, rng)
                semver = f"{prefix}{version[0]}.{version[1]}.{version[2]}"
                if style == "base":
                    semver = f"{version[0]}.{version[1]}-{_date_tag(now, count - index)}"
                extra = (f"main-{self._sha()}",) if style == "app" and rng.random() < 0.5 else ()
                self.tags.append((semver, *extra))
                releases.append(index)
            elif style == "cache":
                self.tags.append(self._cache_tags(roll, immutable))
            elif not immutable and roll < 0.45:
                self.tags.append(("dev",))
                moving.append(index)
            else:
                self.tags.append((f"main-{self._sha()}",))
        if immutable:
            return
        # Moving tags stay on the newest image that got them; the others lose them.
        for index in moving[:-1]:
            self.tags[index] = ()
        if style == "cache":
            self._keep_newest("cache-main")
        if releases:
            self._add(releases[-1], "latest", "staging")
            if len(releases) > 1:
                self._add(releases[-2], "prod")
        elif count:
            self._add(count - 1, "latest")

    def _sha(self) -> str:
        return f"{self.rng.getrandbits(28):07x}"

    def _cache_tags(self, roll: float, immutable: bool) -> tuple[str, ...]:
        if roll < 0.18:
            return (f"main-{self._sha()}",)
        if roll < 0.26:
            return (f"pr-{self.rng.randint(1200, 4800)}-{self._sha()}",)
        if not immutable and roll < 0.5:
            return ("cache-main",)
        return ()

    def _keep_newest(self, tag: str) -> None:
        seen = False
        for index in range(len(self.tags) - 1, -1, -1):
            if tag in self.tags[index]:
                if seen:
                    self.tags[index] = tuple(t for t in self.tags[index] if t != tag)
                seen = True

    def _add(self, index: int, *tags: str) -> None:
        self.tags[index] = (*tags, *self.tags[index])


def _bump(version: list[int], rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.05:
        version[:] = [version[0] + 1, 0, 0]
    elif roll < 0.3:
        version[:] = [version[0], version[1] + 1, 0]
    else:
        version[2] += 1


def _date_tag(now: float, weeks_ago: int) -> str:
    day = time.gmtime(now - weeks_ago * 7 * DAY)
    return f"{day.tm_year}{day.tm_mon:02d}{day.tm_mday:02d}"


def _digest(rng: random.Random) -> str:
    return f"sha256:{rng.getrandbits(256):064x}"


# Bytes of noise a manifest needs: counts and sizes, then up to 8 layer digests and the config's.
_MANIFEST_NOISE = 32 + 32 * 8 + 32


def _noise(seed: int, size: int) -> bytes:
    return hashlib.shake_128(seed.to_bytes(8, "big")).digest(size)


def _fraction(noise: bytes, index: int) -> float:
    """A number in [0, 1) from the four bytes at `index`."""
    return int.from_bytes(noise[index : index + 4], "big") / 4_294_967_296


def _stable_seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


# -- vulnerabilities ---------------------------------------------------------------------------

# Installed and fixed versions per package, by package family ("" : no fix released).
_PACKAGES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "debian": (
        ("libc6", "2.36-9+deb12u1", "2.36-9+deb12u3"),
        ("libssl3", "3.0.8-1", "3.0.11-1~deb12u2"),
        ("openssl", "3.0.8-1", "3.0.11-1~deb12u2"),
        ("libssl1.1", "1.1.1k-1+deb11u1", "1.1.1n-0+deb11u1"),
        ("libcurl4", "7.88.1-10+deb12u1", "7.88.1-10+deb12u4"),
        ("curl", "7.88.1-10+deb12u1", "7.88.1-10+deb12u4"),
        ("zlib1g", "1:1.2.13.dfsg-1", ""),
        ("libxml2", "2.9.14+dfsg-1.3~deb12u1", ""),
        ("libexpat1", "2.5.0-1", "2.5.0-1+deb12u1"),
        ("perl-base", "5.36.0-7+deb12u1", ""),
        ("libsqlite3-0", "3.40.1-2", "3.40.1-2+deb12u1"),
        ("libgnutls30", "3.7.9-2+deb12u2", "3.7.9-2+deb12u3"),
        ("libsystemd0", "252.22-1~deb12u1", ""),
        ("libtiff6", "4.5.0-6+deb12u1", ""),
        ("libkrb5-3", "1.20.1-2+deb12u1", "1.20.1-2+deb12u2"),
        ("libpam0g", "1.5.2-6+deb12u1", ""),
        ("libtinfo6", "6.4-4", ""),
        ("libgcrypt20", "1.10.1-3", ""),
        ("coreutils", "9.1-1", ""),
        ("libuuid1", "2.38.1-5+b1", ""),
        ("apt", "2.6.1", ""),
        ("tar", "1.34+dfsg-1.2+deb12u1", ""),
        ("login", "1:4.13+dfsg1-1", ""),
        ("libldap-2.5-0", "2.5.13+dfsg-5", ""),
        ("libnghttp2-14", "1.52.0-1", "1.52.0-1+deb12u1"),
        ("libpython3.11-minimal", "3.11.2-6", "3.11.2-6+deb12u2"),
        ("libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1"),
        ("openssh-client", "1:9.2p1-2+deb12u2", "1:9.2p1-2+deb12u3"),
        ("gpgv", "2.2.40-1.1", ""),
        ("bash", "5.2.15-2+b2", ""),
        ("gcc-12-base", "12.2.0-14", ""),
    ),
    "ubuntu": (
        ("libc6", "2.35-0ubuntu3.1", "2.35-0ubuntu3.4"),
        ("libssl3", "3.0.2-0ubuntu1.8", "3.0.2-0ubuntu1.12"),
        ("openssl", "3.0.2-0ubuntu1.8", "3.0.2-0ubuntu1.12"),
        ("libcurl4", "7.81.0-1ubuntu1.10", "7.81.0-1ubuntu1.14"),
        ("curl", "7.81.0-1ubuntu1.10", "7.81.0-1ubuntu1.14"),
        ("zlib1g", "1:1.2.11.dfsg-2ubuntu9", "1:1.2.11.dfsg-2ubuntu9.1"),
        ("libxml2", "2.9.13+dfsg-1ubuntu0.3", "2.9.13+dfsg-1ubuntu0.4"),
        ("libexpat1", "2.4.7-1", "2.4.7-1ubuntu0.3"),
        ("libsqlite3-0", "3.37.2-2ubuntu0.1", "3.37.2-2ubuntu0.3"),
        ("libgnutls30", "3.7.3-4ubuntu1.2", "3.7.3-4ubuntu1.5"),
        ("libsystemd0", "249.11-0ubuntu3.11", "249.11-0ubuntu3.12"),
        ("libkrb5-3", "1.19.2-2ubuntu0.2", "1.19.2-2ubuntu0.3"),
        ("libpam0g", "1.4.0-11ubuntu2.3", "1.4.0-11ubuntu2.4"),
        ("libtinfo6", "6.3-2ubuntu0.1", ""),
        ("libgcrypt20", "1.9.4-3ubuntu3", ""),
        ("coreutils", "8.32-4.1ubuntu1", "8.32-4.1ubuntu1.1"),
        ("tar", "1.34+dfsg-1ubuntu0.1.22.04.1", ""),
        ("openssh-client", "1:8.9p1-3ubuntu0.6", "1:8.9p1-3ubuntu0.10"),
        ("libnghttp2-14", "1.43.0-1build3", "1.43.0-1ubuntu0.1"),
        ("libpython3.10-minimal", "3.10.12-1~22.04.2", "3.10.12-1~22.04.3"),
        ("libwebp7", "1.2.2-2", "1.2.2-2ubuntu0.22.04.2"),
        ("perl-base", "5.34.0-3ubuntu1.2", "5.34.0-3ubuntu1.3"),
    ),
    "alpine": (
        ("busybox", "1.36.1-r2", "1.36.1-r7"),
        ("libcrypto3", "3.1.0-r4", "3.1.4-r0"),
        ("libssl3", "3.1.0-r4", "3.1.4-r0"),
        ("libcurl", "8.2.1-r0", "8.4.0-r0"),
        ("zlib", "1.2.13-r1", ""),
        ("musl", "1.2.4-r1", "1.2.4-r2"),
        ("libexpat", "2.5.0-r1", "2.6.0-r0"),
        ("ncurses-libs", "6.4_p20230506-r0", ""),
        ("libxml2", "2.11.4-r0", "2.11.7-r0"),
        ("nghttp2-libs", "1.55.1-r0", "1.57.0-r0"),
    ),
    "JAR": (
        ("org.apache.logging.log4j:log4j-core", "2.14.1", "2.17.1"),
        ("org.springframework:spring-beans", "5.3.17", "5.3.18"),
        ("com.fasterxml.jackson.core:jackson-databind", "2.13.2", "2.13.4.2"),
        ("org.yaml:snakeyaml", "1.30", "2.0"),
        ("io.netty:netty-codec-http2", "4.1.94.Final", "4.1.100.Final"),
        ("org.apache.tomcat.embed:tomcat-embed-core", "9.0.71", "9.0.81"),
        ("com.google.guava:guava", "31.1-jre", "32.0.0-jre"),
        ("ch.qos.logback:logback-classic", "1.2.11", "1.2.13"),
    ),
    "PYTHONPKG": (
        ("requests", "2.28.1", "2.31.0"),
        ("urllib3", "1.26.12", "1.26.18"),
        ("certifi", "2022.9.24", "2023.7.22"),
        ("cryptography", "39.0.1", "41.0.6"),
        ("setuptools", "65.5.0", "70.0.0"),
        ("jinja2", "3.1.2", "3.1.4"),
        ("pillow", "9.4.0", "10.0.1"),
        ("aiohttp", "3.8.4", "3.9.4"),
        ("werkzeug", "2.2.2", "3.0.3"),
        ("idna", "3.4", "3.7"),
    ),
    "NODEPKG": (
        ("semver", "7.3.8", "7.5.2"),
        ("express", "4.18.2", "4.19.2"),
        ("qs", "6.5.2", "6.5.3"),
        ("follow-redirects", "1.15.2", "1.15.6"),
        ("ws", "8.11.0", "8.17.1"),
        ("braces", "3.0.2", "3.0.3"),
        ("axios", "1.3.4", "1.6.0"),
        ("tough-cookie", "4.1.2", "4.1.3"),
        ("word-wrap", "1.2.3", "1.2.4"),
    ),
    "GOBINARY": (
        ("golang.org/x/net", "v0.7.0", "0.17.0"),
        ("google.golang.org/grpc", "v1.56.2", "1.56.3"),
        ("stdlib", "go1.20.5", "1.20.10"),
        ("golang.org/x/crypto", "v0.14.0", "0.17.0"),
    ),
}


@dataclass(frozen=True, slots=True)
class _KnownCve:
    cve: str
    severity: str
    score: float
    vector: str
    packages: tuple[str, ...]  # package names it is reported against; "name@family" for one
    description: str
    exploit: bool = False


_V3 = "CVSS:3.1/"
# Real, well-known vulnerabilities: they lead every pool they apply to.
_KNOWN: tuple[_KnownCve, ...] = (
    _KnownCve("CVE-2023-38545", "CRITICAL", 9.8, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
              ("curl", "libcurl4", "libcurl"),
              "This flaw makes curl overflow a heap based buffer in the SOCKS5 proxy handshake.",
              True),
    _KnownCve("CVE-2021-44228", "CRITICAL", 10.0, _V3 + "AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
              ("org.apache.logging.log4j:log4j-core",),
              "Apache Log4j2 JNDI features used in configuration, log messages, and parameters "
              "do not protect against attacker controlled LDAP and other JNDI related endpoints.",
              True),
    _KnownCve("CVE-2022-22965", "CRITICAL", 9.8, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
              ("org.springframework:spring-beans",),
              "A Spring MVC or Spring WebFlux application running on JDK 9+ may be vulnerable to "
              "remote code execution (RCE) via data binding.", True),
    _KnownCve("CVE-2022-37434", "CRITICAL", 9.8, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
              ("zlib1g@ubuntu",),
              "zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate "
              "in inflate.c via a large gzip header extra field."),
    _KnownCve("CVE-2022-40674", "CRITICAL", 9.8, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
              ("libexpat1@ubuntu",),
              "libexpat before 2.4.9 has a use-after-free in the doContent function in "
              "xmlparse.c."),
    _KnownCve("CVE-2023-37920", "CRITICAL", 9.8, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
              ("certifi",),
              "Certifi prior to version 2023.07.22 recognizes \"e-Tugra\" root certificates."),
    _KnownCve("CVE-2023-4911", "HIGH", 7.8, _V3 + "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
              ("libc6",),
              "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while "
              "processing the GLIBC_TUNABLES environment variable.", True),
    _KnownCve("CVE-2024-6387", "HIGH", 8.1, _V3 + "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
              ("openssh-client",),
              "A security regression (CVE-2006-5051) was discovered in OpenSSH's server (sshd): a "
              "race condition in the signal handler can lead to remote code execution.", True),
    _KnownCve("CVE-2022-0778", "HIGH", 7.5, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
              ("libssl1.1",),
              "The BN_mod_sqrt() function, which computes a modular square root, contains a bug "
              "that can cause it to loop forever for non-prime moduli."),
    _KnownCve("CVE-2023-44487", "HIGH", 7.5, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
              ("libnghttp2-14", "nghttp2-libs", "io.netty:netty-codec-http2", "golang.org/x/net"),
              "The HTTP/2 protocol allows a denial of service (server resource consumption) "
              "because request cancellation can reset many streams quickly.", True),
    _KnownCve("CVE-2023-4863", "HIGH", 8.8, _V3 + "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
              ("libwebp7", "pillow"),
              "Heap buffer overflow in libwebp allowed a remote attacker to perform an out of "
              "bounds memory write via a crafted HTML page.", True),
    _KnownCve("CVE-2022-42003", "HIGH", 7.5, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
              ("com.fasterxml.jackson.core:jackson-databind",),
              "In FasterXML jackson-databind before 2.14.0-rc1, resource exhaustion can occur "
              "because of a lack of a check in primitive value deserializers."),
    _KnownCve("CVE-2023-43804", "HIGH", 8.1, _V3 + "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
              ("urllib3",),
              "urllib3 doesn't treat the Cookie HTTP header special or provide any helpers for "
              "managing cookies over HTTP, leaking them on cross-origin redirects."),
    _KnownCve("CVE-2022-24999", "HIGH", 7.5, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
              ("qs",),
              "qs before 6.10.3 allows attackers to cause a Node process hang through a crafted "
              "__proto__ key in a query string."),
    _KnownCve("CVE-2023-5363", "HIGH", 7.5, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
              ("libssl3", "openssl", "libcrypto3"),
              "A bug has been identified in the processing of key and initialisation vector (IV) "
              "lengths that can lead to potential truncation or overruns during the "
              "initialisation of some symmetric ciphers."),
    _KnownCve("CVE-2023-32681", "MEDIUM", 6.1, _V3 + "AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
              ("requests",),
              "Requests leaks Proxy-Authorization headers to destination servers when redirected "
              "to an HTTPS endpoint."),
    _KnownCve("CVE-2022-25883", "MEDIUM", 5.3, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
              ("semver",),
              "Versions of the package semver before 7.5.2 are vulnerable to Regular Expression "
              "Denial of Service (ReDoS) via the function new Range."),
    _KnownCve("CVE-2023-2650", "MEDIUM", 6.5, _V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
              ("libssl3", "openssl", "libcrypto3"),
              "Processing some specially crafted ASN.1 object identifiers or data containing them "
              "may be very slow."),
    _KnownCve("CVE-2022-0563", "MEDIUM", 5.5, _V3 + "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
              ("libuuid1",),
              "A flaw was found in the util-linux chfn and chsh utilities when compiled with "
              "Readline support."),
    _KnownCve("CVE-2023-42363", "MEDIUM", 5.5, _V3 + "AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H",
              ("busybox",),
              "A use-after-free vulnerability was discovered in xasprintf function in "
              "xfuncs_printf.c:344 in BusyBox v.1.36.1."),
    _KnownCve("CVE-2011-3374", "LOW", 3.7, _V3 + "AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N",
              ("apt",),
              "It was found that apt-key in apt, all versions, do not correctly validate gpg keys "
              "with the master keyring, leading to a potential man-in-the-middle attack."),
    _KnownCve("CVE-2016-2781", "LOW", 6.5, _V3 + "AV:L/AC:L/PR:N/UI:R/S:C/C:N/I:H/A:N",
              ("coreutils",),
              "chroot in GNU coreutils, when used with --userspec, allows local users to escape "
              "to the parent session via a crafted TIOCSTI ioctl call."),
)  # fmt: skip
_KNOWN_IDS = frozenset(k.cve for k in _KNOWN)

# CVSS v3.1 vectors with their base scores, by the severity they rate.
_CVSS3: dict[str, tuple[tuple[str, float], ...]] = {
    "CRITICAL": (
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", 9.1),
        ("AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
    ),
    "HIGH": (
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
        ("AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
        ("AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
        ("AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
    ),
    "MEDIUM": (
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
        ("AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5),
        ("AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", 6.5),
        ("AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", 5.9),
        ("AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    ),
    "LOW": (
        ("AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.3),
        ("AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7),
        ("AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:L", 2.5),
    ),
}
# CVSS v2 vectors (older CVEs) with their base scores.
_CVSS2: dict[str, tuple[tuple[str, float], ...]] = {
    "CRITICAL": (("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),),
    "HIGH": (("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5), ("AV:N/AC:M/Au:N/C:P/I:P/A:P", 6.8)),
    "MEDIUM": (
        ("AV:N/AC:M/Au:N/C:N/I:N/A:P", 4.3),
        ("AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0),
        ("AV:L/AC:L/Au:N/C:P/I:P/A:P", 4.6),
    ),
    "LOW": (("AV:L/AC:L/Au:N/C:P/I:N/A:N", 2.1), ("AV:L/AC:M/Au:N/C:N/I:N/A:P", 1.9)),
}

_FLAWS = (
    "A heap-based buffer overflow in {p} allows a remote attacker to execute arbitrary code "
    "via a crafted {t}.",
    "An out-of-bounds read in {p} may disclose sensitive memory when processing a crafted {t}.",
    "A NULL pointer dereference in {p} allows attackers to cause a denial of service via a "
    "crafted {t}.",
    "An integer overflow in {p} can lead to memory corruption when handling a specially crafted "
    "{t}.",
    "Improper input validation in {p} allows a local user to escalate privileges through a "
    "crafted {t}.",
    "A use-after-free in {p} can be triggered by a malicious {t}, leading to a crash or code "
    "execution.",
    "Unbounded recursion in {p} when parsing a crafted {t} allows an attacker to exhaust the "
    "stack.",
    "Uncontrolled resource consumption in {p} lets a remote attacker cause a denial of service "
    "with a crafted {t}.",
)
_THINGS = (
    "certificate", "HTTP/2 frame", "XML document", "archive", "regular expression",
    "TLS handshake", "URL", "environment variable", "input file", "compressed stream",
)  # fmt: skip


def vulnerabilities(scan: ScanSpec) -> list[Vulnerability]:
    """The findings behind a scan's severity counts, worst first, always the same."""
    profile = scan.profile
    found: list[Vulnerability] = []
    for severity, count in scan.severity_counts:
        canonical = "UNDEFINED" if severity == "UNTRIAGED" else severity
        pool = _pool(profile.family, profile.ecosystem if profile.enhanced else "", canonical,
                     profile.vulnerability_seed, _bucket(count))  # fmt: skip
        found.extend(pool[:count])
    return found


def _bucket(count: int) -> int:
    # Pools are cached by size: round up so images of one repository share one pool.
    size = 32
    while size < count:
        size *= 2
    return size


@lru_cache(maxsize=512)
def _pool(
    family: str, ecosystem: str, severity: str, seed: int, size: int
) -> tuple[Vulnerability, ...]:
    """Vulnerabilities of one severity for one kind of image; known CVEs first."""
    rng = random.Random(seed ^ _stable_seed(severity))
    catalog = _PACKAGES.get(family, _PACKAGES["debian"])
    if ecosystem:
        catalog = catalog + _PACKAGES[ecosystem]
    by_name = {name: (name, version, fixed) for name, version, fixed in catalog}
    pool: list[Vulnerability] = []
    for known in _KNOWN:
        package = next((by_name[p] for p in _names_for(known, family) if p in by_name), None)
        if known.severity == severity and package is not None:
            pool.append(_known_vulnerability(known, package, family, ecosystem))
    used = set(_KNOWN_IDS)
    slot = BASIC_SEVERITIES.index(severity)
    while len(pool) < size:
        year = rng.choice((2016, 2018, 2019, 2020, 2021, 2022, 2022, 2023, 2023, 2024, 2024))
        # Numbers are spread by severity so that pools never share a CVE id.
        cve = f"CVE-{year}-{rng.randint(170, 8_300) * 6 + slot}"
        if cve in used:
            continue
        used.add(cve)
        pool.append(_generated_vulnerability(cve, year, severity, rng.choice(catalog), family,
                                             ecosystem, rng))  # fmt: skip
    return tuple(pool[:size])


def _names_for(known: _KnownCve, family: str) -> Iterator[str]:
    for entry in known.packages:
        name, _, only = entry.partition("@")
        if not only or only == family:
            yield name


def _manager(package: str, family: str, ecosystem: str) -> tuple[str, str]:
    if not ecosystem or any(package == name for name, _, _ in _PACKAGES.get(family, ())):
        return "OS", ""
    base = package.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    paths = {
        "JAR": f"/app/lib/{base}.jar",
        "PYTHONPKG": f"/usr/local/lib/python3.11/site-packages/{base}",
        "NODEPKG": f"/app/node_modules/{base}/package.json",
        "GOBINARY": "/usr/local/bin/app",
    }
    return ecosystem, paths[ecosystem]


def _reference(cve: str, family: str, manager: str) -> str:
    if manager == "OS" and family == "debian":
        return f"https://security-tracker.debian.org/tracker/{cve}"
    if manager == "OS" and family == "ubuntu":
        return f"https://ubuntu.com/security/{cve}"
    return f"https://nvd.nist.gov/vuln/detail/{cve}"


def _known_vulnerability(
    known: _KnownCve, package: tuple[str, str, str], family: str, ecosystem: str
) -> Vulnerability:
    manager, path = _manager(package[0], family, ecosystem)
    year = int(known.cve.split("-")[1])
    return Vulnerability(
        cve=known.cve,
        severity=known.severity,
        package=package[0],
        version=package[1],
        fixed_in=package[2],
        package_manager=manager,
        file_path=path,
        cvss_version="3.1",
        score=known.score,
        vector=known.vector,
        description=known.description,
        uri=_reference(known.cve, family, manager),
        published_at=calendar.timegm((year, 6, 1, 0, 0, 0)),
        exploit_available=known.exploit,
    )


def _generated_vulnerability(
    cve: str,
    year: int,
    severity: str,
    package: tuple[str, str, str],
    family: str,
    ecosystem: str,
    rng: random.Random,
) -> Vulnerability:
    manager, path = _manager(package[0], family, ecosystem)
    version, vector, score = "", "", None
    if severity in _CVSS3:
        if year < 2019 and rng.random() < 0.7:
            version, (vector, score) = "2.0", rng.choice(_CVSS2[severity])
        else:
            version, (vector, score) = "3.1", rng.choice(_CVSS3[severity])
            vector = _V3 + vector
    flaw = rng.choice(_FLAWS).format(p=package[0], t=rng.choice(_THINGS))
    return Vulnerability(
        cve=cve,
        severity=severity,
        package=package[0],
        version=package[1],
        fixed_in=package[2] if rng.random() < 0.6 else "",
        package_manager=manager,
        file_path=path,
        cvss_version=version,
        score=score,
        vector=vector,
        description=flaw,
        uri=_reference(cve, family, manager),
        published_at=calendar.timegm((year, rng.randint(1, 12), rng.randint(1, 28), 0, 0, 0)),
        exploit_available=severity in ("CRITICAL", "HIGH") and rng.random() < 0.1,
    )
