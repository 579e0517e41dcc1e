"""A whole registry's content (`Dataset`) and `build_dataset`, which describes it from a seed."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field, replace

from ecr_tui.demo.data.repositories import RepositorySpec
from ecr_tui.demo.data.scans import ScanProfile
from ecr_tui.demo.data.seeds import stable_seed
from ecr_tui.demo.data.units import DAY
from ecr_tui.demo.data.workloads import (
    BIG_REPOSITORY,
    CURATED,
    DEMO_REPOSITORIES,
    GENERATED_KINDS,
    KINDS,
    PUSH_SINGLE,
    TEAMS,
    WORDS_A,
    WORDS_B,
    Curated,
)


@dataclass(frozen=True, slots=True)
class Dataset:
    """A whole registry's content.

    `image_count` counts pushes: a multi-platform push stores several images.
    """

    repositories: tuple[RepositorySpec, ...]
    now: float
    seed: int
    # Every repository scanned by Amazon Inspector, by one registry rule `*`.
    enhanced_all: bool = False
    image_count: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "image_count", sum(r.image_count for r in self.repositories))

    def repository(self, name: str) -> RepositorySpec:
        """The repository with this name (KeyError if absent)."""
        for repository in self.repositories:
            if repository.name == name:
                return repository
        raise KeyError(name)

    def scanning_rules(self) -> list[dict[str, object]]:
        """The registry's enhanced-scanning rules that name its enhanced repositories.

        As PutRegistryScanningConfiguration takes them: one rule per frequency,
        each with WILDCARD filters (a filter without `*` matches names that
        contain it). Empty when no repository is scanned by Amazon Inspector.
        """
        if self.enhanced_all:  # as many real registries: one rule for every repository
            wildcard = {"filter": "*", "filterType": "WILDCARD"}
            return [{"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [wildcard]}]
        rules: dict[str, list[dict[str, str]]] = {}
        for repository in self.repositories:
            if repository.scan_frequency:
                rules.setdefault(repository.scan_frequency, []).append(
                    {"filter": repository.name, "filterType": "WILDCARD"}
                )
        return [
            {"scanFrequency": frequency, "repositoryFilters": filters}
            for frequency, filters in sorted(rules.items())
        ]


def build_dataset(
    repositories: int = DEMO_REPOSITORIES,
    big_repository_images: int = 5000,
    seed: int = 7,
    now: float | None = None,
    *,
    enhanced_all: bool = False,
) -> Dataset:
    """Describe a registry of `repositories` repositories, all timestamps before `now`.

    `platform/build-cache` holds `big_repository_images` images and is always
    part of the registry when that number is positive. Past the hand-written
    repositories (`DEMO_REPOSITORIES`), more are generated with team/service names.
    """
    if repositories < 0 or big_repository_images < 0:
        raise ValueError("repository and image counts cannot be negative")
    now = time.time() if now is None else now
    rng = random.Random(seed)
    curated = [c for c in CURATED if c.name != BIG_REPOSITORY or big_repository_images > 0]
    if repositories < len(curated):
        keep = curated[:repositories]
        big = next((c for c in curated if c.name == BIG_REPOSITORY), None)
        if big is not None and big not in keep and keep:
            keep[-1] = big
        curated = keep
    if enhanced_all:
        curated = [replace(c, enhanced=True, enhanced_frequency="CONTINUOUS_SCAN") for c in curated]
    specs = [_repository_spec(c, big_repository_images, rng, now) for c in curated]
    taken = {s.name for s in specs}
    while len(specs) < repositories:
        name = base = f"{rng.choice(TEAMS)}/{rng.choice(WORDS_A)}-{rng.choice(WORDS_B)}"
        suffix = 1
        while name in taken:
            suffix += 1
            name = f"{base}-{suffix}"
        taken.add(name)
        generated = Curated(
            name,
            rng.choice(GENERATED_KINDS),
            rng.randint(2, 24),
            "IMMUTABLE" if rng.random() < 0.3 else "MUTABLE",
            scan_on_push=rng.random() < 0.6,
            kms=rng.random() < 0.2,
            enhanced=enhanced_all,
        )
        specs.append(_repository_spec(generated, big_repository_images, rng, now))
    return Dataset(tuple(specs), now, seed, enhanced_all)


def _repository_spec(c: Curated, big_images: int, rng: random.Random, now: float) -> RepositorySpec:
    kind = KINDS[c.kind]
    repo_seed = rng.getrandbits(63)
    age_days = rng.uniform(200, 730) if c.images else 540
    continuous = c.enhanced_frequency == "CONTINUOUS_SCAN"
    profile = ScanProfile(
        kind.family,
        kind.ecosystem,
        c.enhanced,
        kind.findings,
        stable_seed(f"{c.kind}/{repo_seed % 5}"),  # a few pools per kind: shared base images
        continuous=continuous,
        # Today's Inspector shape where today's pushes are (the older repositories keep theirs).
        inspector_scores=c.enhanced and c.push_style != PUSH_SINGLE,
    )
    encryption = "AES256"
    if c.kms:
        encryption = "KMS_DSSE" if c.dual_layer_kms else "KMS"
    return RepositorySpec(
        name=c.name,
        kind=c.kind,
        created_at=now - age_days * DAY - rng.uniform(0, DAY),
        tag_mutability=c.mutability,
        scan_on_push=c.scan_on_push,
        encryption=encryption,
        kms_key_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)) if c.kms else None,
        image_count=c.images or big_images,
        seed=repo_seed,
        now=now,
        profile=profile,
        push_style=c.push_style,
        exclusions=c.exclusions,
        scan_frequency=c.enhanced_frequency if c.enhanced else "",
    )
