"""One repository (`RepositorySpec`) and the generator of its images.

Images are produced one at a time from the repository's seed, oldest push
first, so a repository of 100,000 images is never held in memory.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

from ecr_tui.demo.data.archive import archive_old_releases
from ecr_tui.demo.data.images import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_MANIFEST,
    FLUX_CONFIG,
    FLUX_LAYER,
    HELM_CONFIG,
    HELM_LAYER,
    OCI_CONFIG,
    OCI_LAYER,
    OCI_MANIFEST,
    ImageSpec,
    ManifestLayout,
)
from ecr_tui.demo.data.pushes import MultiManifestPushes
from ecr_tui.demo.data.scans import (
    SCAN_COMPLETE,
    SCAN_CONTINUOUS,
    SCAN_UNSUPPORTED,
    SCAN_UNSUPPORTED_MEDIA,
    ScanProfile,
    ScanSpec,
)
from ecr_tui.demo.data.seeds import random_digest
from ecr_tui.demo.data.tags import TagPlan
from ecr_tui.demo.data.units import DAY, MB
from ecr_tui.demo.data.workloads import KINDS, PUSH_ARCHIVED, PUSH_SINGLE

# Artifacts that are not images: their config and content media types.
_ARTIFACTS = {"helm": (HELM_CONFIG, HELM_LAYER), "flux": (FLUX_CONFIG, FLUX_LAYER)}
# Tags that move from image to image (TagPlan's), never protected by an exclusion.
MOVING_TAGS = frozenset({"latest", "staging", "prod", "dev"})


@dataclass(frozen=True, slots=True)
class RepositorySpec:
    """One repository and the recipe for its images."""

    name: str
    kind: str
    created_at: float
    tag_mutability: str  # MUTABLE, IMMUTABLE, or either *_WITH_EXCLUSION
    scan_on_push: bool
    encryption: str  # AES256, KMS or KMS_DSSE
    kms_key_id: str | None  # a key id; the server turns it into an ARN
    image_count: int  # pushes: a multi-platform push stores several manifests
    seed: int
    now: float
    profile: ScanProfile
    push_style: str = PUSH_SINGLE  # see ecr_tui.demo.data.workloads
    exclusions: tuple[str, ...] = ()  # imageTagMutabilityExclusionFilters (WILDCARD)
    # The registry's enhanced-scanning rule for it: CONTINUOUS_SCAN, SCAN_ON_PUSH or "".
    scan_frequency: str = ""

    def images(self) -> Iterator[ImageSpec]:
        """The repository's images, oldest push first (generated, not stored)."""
        return _ImageBuilder(self).build()


class _ImageBuilder:
    """Turns a repository's recipe into images; one pass, nothing kept."""

    def __init__(self, repo: RepositorySpec) -> None:
        self.repo = repo
        self.kind = KINDS[repo.kind]
        self.rng = random.Random(repo.seed)
        self.layouts = self._layouts()

    def _layouts(self) -> tuple[ManifestLayout, ManifestLayout]:
        kind, rng = self.kind, self.rng
        # Three generations of the base image, each shared by many images.
        base_layer_size = kind.size_mb[0] * MB / max(kind.base_layers, 1)
        generations = tuple(
            tuple(
                (random_digest(rng), int(rng.uniform(0.4, 1.0) * base_layer_size))
                for _ in range(kind.base_layers)
            )
            for _ in range(3)
        )
        size = (int(kind.size_mb[0] * MB), int(kind.size_mb[1] * MB))
        own = (max(kind.layers[0] - kind.base_layers, 1), max(kind.layers[1] - kind.base_layers, 1))
        if kind.family in _ARTIFACTS:
            config, layer = _ARTIFACTS[kind.family]
            return (ManifestLayout(OCI_MANIFEST, config, layer, ((),), size, own),) * 2
        docker = ManifestLayout(
            DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER, generations, size, own
        )
        oci = ManifestLayout(OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, generations, size, own)
        return docker, oci

    def build(self) -> Iterator[ImageSpec]:
        repo, rng = self.repo, self.rng
        count = repo.image_count
        if not count:
            return
        span = max(repo.now - repo.created_at - 3_600, 3_600)
        # Recent weeks are busier than last year: ages bunch up near zero.
        ages = sorted((span * rng.random() ** 1.8 for _ in range(count)), reverse=True)
        ages[-1] = min(ages[-1], rng.uniform(600, 3 * 3_600))
        tags = self._tags(count)
        profile = repo.profile
        stuck = repo.scan_on_push and profile.supported and not profile.enhanced
        stuck = stuck and rng.random() < 0.25
        if repo.push_style not in (PUSH_SINGLE, PUSH_ARCHIVED):
            pushes = MultiManifestPushes(
                repo.push_style,
                repo.kind,
                repo.now,
                profile,
                repo.scan_on_push,
                rng,
                self.layouts,
                self._last_pull,
            )
            yield from pushes.build(ages, tags)
            return
        images = self._single_pushes(ages, tags, stuck)
        if repo.push_style == PUSH_ARCHIVED:
            yield from archive_old_releases(list(images), repo.now, rng)
            return
        yield from images

    def _tags(self, count: int) -> list[tuple[str, ...]]:
        repo = self.repo
        immutable = repo.tag_mutability in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")
        tags = TagPlan(self.kind.tag_style, immutable, count, self.rng, repo.now).tags
        if repo.tag_mutability == "IMMUTABLE_WITH_EXCLUSION":
            # The tags the exclusions leave mutable move to the newest push.
            movable = tuple(f for f in repo.exclusions if "*" not in f)
            tags[-1] = (*movable, *tags[-1])
        return tags

    def _single_pushes(
        self, ages: list[float], tags: list[tuple[str, ...]], stuck: bool
    ) -> Iterator[ImageSpec]:
        repo, kind, rng = self.repo, self.kind, self.rng
        count = len(ages)
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
        if profile.enhanced and not profile.supported:
            # Amazon Inspector reads no packages in a chart or other artifact.
            done = pushed_at + 60
            return ScanSpec(
                "UNSUPPORTED_IMAGE", SCAN_UNSUPPORTED_MEDIA, pushed_at + 20, done, None, (), profile
            )
        if profile.enhanced and not profile.continuous:
            # Scan on push: one scan, right after the push.
            done = pushed_at + rng.uniform(60, 400)
            counts = profile.severity_counts(seed, 0)
            updated = done - rng.uniform(600, 6 * 3_600)
            return ScanSpec(
                "COMPLETE", SCAN_COMPLETE, pushed_at + 30, done, updated, counts, profile
            )
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
        elif rng.random() < 0.3 and profile.family not in _ARTIFACTS:
            started = pushed_at + (repo.now - pushed_at) * rng.random()
        else:
            return None
        done = started + rng.uniform(20, 150)
        if not profile.supported:
            return ScanSpec("FAILED", SCAN_UNSUPPORTED, started, done, None, (), profile)
        counts = profile.severity_counts(seed, (started - pushed_at) / DAY)
        updated = done - rng.uniform(3_600, 20 * 3_600)
        return ScanSpec("COMPLETE", SCAN_COMPLETE, started, done, updated, counts, profile)
