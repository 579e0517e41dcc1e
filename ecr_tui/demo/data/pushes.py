"""Pushes that store several manifests at once, as ECR lists them afterwards.

* buildx (`docker buildx build --platform ... --push`): one image per platform,
  one attestation manifest per platform, then the OCI index that lists them;
  only the index is tagged.
* `docker manifest create` + `push`: each platform's image pushed with its own
  tag first (`1.4.2-amd64`), then the Docker manifest list.
* signed images: the image, then its OCI 1.1 referrers (Notation and cosign
  signatures, an SBOM, an in-toto attestation) a few seconds later; older
  images carry cosign's tag-based signature (`sha256-<digest>.sig`) instead.

ECR lists every manifest as an image of its own: the index without a scan,
each platform's image untagged with its own scan, referrers with their
`subjectManifestDigest`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from ecr_tui.demo.data.images import ImageExtra, ImageSpec, ManifestLayout
from ecr_tui.demo.data.manifests import (
    COSIGN_SIGNATURE,
    CYCLONEDX,
    IN_TOTO,
    NOTATION_SIGNATURE,
    SPDX,
    Manifest,
    attestation_manifest,
    cosign_signature_tag,
    cosign_tag_signature,
    image_index,
    manifest_list,
    referrer,
)
from ecr_tui.demo.data.scans import (
    RESCAN_DURATION_DAYS,
    SCAN_COMPLETE,
    SCAN_CONTINUOUS,
    SCAN_EXPIRED,
    SCAN_FINDINGS_UNAVAILABLE,
    SCAN_LIMIT_EXCEEDED,
    SCAN_PENDING,
    SCAN_SIZE_EXCEEDED,
    SCAN_UNSUPPORTED_MEDIA,
    ScanProfile,
    ScanSpec,
)
from ecr_tui.demo.data.units import DAY
from ecr_tui.demo.data.workloads import PUSH_BUILDX, PUSH_MANIFEST_LIST, PUSH_SIGNED

# The platforms a push builds, by the kind of image.
PLATFORMS = {
    "base-os": ("linux/amd64", "linux/arm64", "linux/arm/v7"),
    "default": ("linux/amd64", "linux/arm64"),
}
# Which of a repository's pushes (counted from the newest, 0) met a scan that
# did not end with findings: enhanced scan-on-push repositories show both.
_FINDINGS_UNAVAILABLE_AT = 3
_LIMIT_EXCEEDED_AT = 6
_SIZE_EXCEEDED_AT = 9


class MultiManifestPushes:
    """The images a repository's multi-manifest pushes leave in ECR, oldest push first."""

    def __init__(
        self,
        style: str,
        kind: str,
        now: float,
        profile: ScanProfile,
        scan_on_push: bool,
        rng: random.Random,
        layouts: tuple[ManifestLayout, ManifestLayout],  # (Docker, OCI)
        last_pull: Callable[[float, tuple[str, ...]], float | None],
    ) -> None:
        if style not in (PUSH_BUILDX, PUSH_MANIFEST_LIST, PUSH_SIGNED):
            raise ValueError(f"not a multi-manifest push style: {style}")
        self.style = style
        self.platforms = PLATFORMS.get(kind, PLATFORMS["default"])
        self.with_sbom = kind == "base-os"  # a published base image ships its SBOM
        self.now = now
        self.profile = profile
        self.scan_on_push = scan_on_push
        self.rng = rng
        self.layouts = layouts
        self.last_pull = last_pull

    def build(self, ages: list[float], tags: list[tuple[str, ...]]) -> Iterator[ImageSpec]:
        """Every push's manifests, in the order they were pushed."""
        count = len(ages)
        for index, age in enumerate(ages):
            from_newest = count - 1 - index
            pushed_at = self.now - age
            if from_newest == 0 and self.profile.enhanced:
                pushed_at = self.now - self.rng.uniform(40, 300)  # Inspector is still on it
            if self.style == PUSH_BUILDX:
                yield from self._buildx(pushed_at, tags[index], from_newest)
            elif self.style == PUSH_MANIFEST_LIST:
                yield from self._manifest_list(pushed_at, tags[index], from_newest)
            else:
                yield from self._signed(pushed_at, tags[index], from_newest, index < count // 3)

    # -- the three kinds of push ---------------------------------------------------------------

    def _buildx(
        self, pushed_at: float, tags: tuple[str, ...], from_newest: int
    ) -> Iterator[ImageSpec]:
        index_pull = self.last_pull(pushed_at, tags)
        children = [self._platform_image(p, self.layouts[1]) for p in self.platforms]
        attestations = [
            attestation_manifest(self.rng.getrandbits(62), self.with_sbom) for _ in children
        ]
        for position, (platform, (manifest, seed, layout)) in enumerate(children):
            pulled = self._child_pull(index_pull, pushed_at, position)
            scan = self._image_scan(pushed_at, seed, pulled, from_newest)
            yield _image(manifest, (), pushed_at, pulled, scan, seed, layout, platform=platform)
        for attestation in attestations:
            scan = self._artifact_scan(pushed_at)
            yield _image(attestation, (), pushed_at, None, scan, 0, None, document=True)
        index = image_index([(p, m) for p, (m, _, _) in children], attestations)
        yield _image(index, tags, pushed_at, index_pull, None, 0, None, document=True)

    def _manifest_list(
        self, pushed_at: float, tags: tuple[str, ...], from_newest: int
    ) -> Iterator[ImageSpec]:
        list_pull = self.last_pull(pushed_at, tags)
        children = [self._platform_image(p, self.layouts[0]) for p in self.platforms]
        releases = [tag for tag in tags if tag not in ("latest", "staging", "prod", "dev")]
        for position, (platform, (manifest, seed, layout)) in enumerate(children):
            architecture = platform.split("/", 2)[1]
            own_tags = tuple(f"{tag}-{architecture}" for tag in releases)
            pulled = self._child_pull(list_pull, pushed_at, position)
            scan = self._image_scan(pushed_at, seed, pulled, from_newest)
            yield _image(
                manifest,
                own_tags,
                pushed_at - 40 + position,
                pulled,
                scan,
                seed,
                layout,
                platform=platform,
            )
        listing = manifest_list([(p, m) for p, (m, _, _) in children])
        yield _image(listing, tags, pushed_at, list_pull, None, 0, None, document=True)

    def _signed(
        self, pushed_at: float, tags: tuple[str, ...], from_newest: int, old: bool
    ) -> Iterator[ImageSpec]:
        layout = self.layouts[1]
        seed = self.rng.getrandbits(62)
        document, size = layout.render(seed)
        subject = Manifest(document, layout.media_type, size, layout.config_media_type)
        pulled = self.last_pull(pushed_at, tags)
        scan = self._image_scan(pushed_at, seed, pulled, from_newest)
        yield _image(subject, tags, pushed_at, pulled, scan, seed, layout)
        signed_at = min(pushed_at + self.rng.uniform(15, 40), self.now)
        if old:  # before the team moved to OCI 1.1 referrers
            signature = cosign_tag_signature(self.rng.getrandbits(62))
            tag = (cosign_signature_tag(subject.digest),)
            yield _image(
                signature,
                tag,
                signed_at,
                pulled,
                self._artifact_scan(signed_at),
                0,
                None,
                document=True,
            )
            return
        kinds = [NOTATION_SIGNATURE, SPDX if from_newest % 2 == 0 else CYCLONEDX]
        if from_newest % 2 == 1:
            kinds.append(COSIGN_SIGNATURE)
        if from_newest % 3 == 0:
            kinds.append(IN_TOTO)
        for offset, kind in enumerate(kinds):
            at = min(signed_at + offset, self.now)
            made = referrer(kind, subject, self.rng.getrandbits(62), at)
            # Verifiers (admission controllers) fetch the signatures of what they admit.
            fetched = pulled if kind in (NOTATION_SIGNATURE, COSIGN_SIGNATURE) else None
            fetched = None if fetched is None else max(fetched, at)
            yield _image(
                made,
                (),
                at,
                fetched,
                self._artifact_scan(at),
                0,
                None,
                document=True,
                subject=subject.digest,
            )

    # -- pieces --------------------------------------------------------------------------------

    def _platform_image(
        self, platform: str, layout: ManifestLayout
    ) -> tuple[str, tuple[Manifest, int, ManifestLayout]]:
        seed = self.rng.getrandbits(62)
        document, size = layout.render(seed)
        return platform, (
            Manifest(document, layout.media_type, size, layout.config_media_type),
            seed,
            layout,
        )

    def _child_pull(
        self, index_pull: float | None, pushed_at: float, position: int
    ) -> float | None:
        """A pull of the index fetches one platform's image: amd64 most, arm less."""
        if index_pull is None:
            return None
        if position == 0:
            return index_pull
        if self.rng.random() < 0.6 / position:
            return max(pushed_at, index_pull - self.rng.uniform(0, 3 * DAY))
        return None

    def _after(self, moment: float, seconds: float) -> float:
        return min(moment + seconds, self.now)

    def _artifact_scan(self, pushed_at: float) -> ScanSpec | None:
        """Attestations, signatures and SBOMs: enhanced scanning finds no packages in them."""
        if not self.profile.enhanced:
            return None
        started, done = self._after(pushed_at, 15), self._after(pushed_at, 45)
        return ScanSpec(
            "UNSUPPORTED_IMAGE", SCAN_UNSUPPORTED_MEDIA, started, done, None, (), self.profile
        )

    def _image_scan(
        self, pushed_at: float, seed: int, pulled: float | None, from_newest: int
    ) -> ScanSpec | None:
        profile, rng = self.profile, self.rng
        age_days = (self.now - pushed_at) / DAY
        if not profile.enhanced and not self.scan_on_push:
            return None
        if not profile.enhanced:  # basic scan on push
            started = self._after(pushed_at, rng.uniform(2, 20))
            return self._found(
                "COMPLETE", SCAN_COMPLETE, started, self._after(started, 90), seed, 0
            )
        if from_newest == 0 and profile.continuous:
            return ScanSpec("PENDING", SCAN_PENDING, pushed_at + 5, None, None, (), profile)
        if from_newest == 0:
            return ScanSpec("IN_PROGRESS", "", pushed_at + 5, None, None, (), profile)
        started = self._after(pushed_at, 30)
        if not profile.continuous:
            done = self._after(started, rng.uniform(60, 400))
            if from_newest == _FINDINGS_UNAVAILABLE_AT:
                return ScanSpec(
                    "FINDINGS_UNAVAILABLE",
                    SCAN_FINDINGS_UNAVAILABLE,
                    started,
                    done,
                    None,
                    (),
                    profile,
                )
            if from_newest == _LIMIT_EXCEEDED_AT:
                return ScanSpec(
                    "LIMIT_EXCEEDED", SCAN_LIMIT_EXCEEDED, started, done, None, (), profile
                )
            if from_newest == _SIZE_EXCEEDED_AT:
                return ScanSpec(
                    "IMAGE_SIZE_EXCEEDED", SCAN_SIZE_EXCEEDED, started, done, None, (), profile
                )
            return self._found("COMPLETE", SCAN_COMPLETE, started, done, seed, 0)
        last_use = max(pushed_at, pulled or 0.0)
        if self.now - last_use > RESCAN_DURATION_DAYS * DAY:
            expired = last_use + RESCAN_DURATION_DAYS * DAY
            return ScanSpec(
                "SCAN_ELIGIBILITY_EXPIRED", SCAN_EXPIRED, started, expired, None, (), profile
            )
        # Continuous scanning re-evaluates the image as the feeds change.
        done = max(self.now - rng.uniform(600, 20 * 3_600), started)
        return self._found("ACTIVE", SCAN_CONTINUOUS, started, done, seed, age_days)

    def _found(
        self, status: str, text: str, started: float, done: float, seed: int, age_days: float
    ) -> ScanSpec:
        counts = self.profile.severity_counts(seed, age_days)
        updated = done - self.rng.uniform(600, 6 * 3_600)
        return ScanSpec(status, text, started, done, updated, counts, self.profile)


def _image(
    manifest: Manifest,
    tags: tuple[str, ...],
    pushed_at: float,
    pulled: float | None,
    scan: ScanSpec | None,
    seed: int,
    layout: ManifestLayout | None,
    *,
    document: bool = False,
    platform: str = "",
    subject: str | None = None,
) -> ImageSpec:
    """An ImageSpec for `manifest`; `document` keeps its bytes (no layout renders them)."""
    extra = None
    if document or platform or subject:
        extra = ImageExtra(
            document=manifest.document if document else None, subject=subject, platform=platform
        )
    return ImageSpec(
        digest=manifest.digest,
        tags=tags,
        pushed_at=pushed_at,
        last_pulled_at=pulled,
        size_bytes=manifest.size,
        manifest_media_type=manifest.media_type,
        artifact_media_type=manifest.artifact_type,
        scan=scan,
        seed=seed,
        layout=layout,
        extra=extra,
    )
