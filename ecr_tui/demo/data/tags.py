"""The tags a repository's images carry, the way teams tag them (releases, commits, caches)."""

from __future__ import annotations

import random
import time

from ecr_tui.demo.data.units import DAY


class TagPlan:
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
