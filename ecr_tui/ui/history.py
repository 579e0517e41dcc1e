"""Back and forward through what was opened, as a browser does (plain Python, no Textual).

A `Place` is where the user was: the context (profile, region, endpoint), the
pane in focus, the repository open, the image and the finding under the cursor.
Opening something (enter on a repository, an image or a finding; a `:repo`,
`:image` or go-to) adds a place after the current one and drops those that were
ahead of it; moving the cursor only changes what the current place remembers
(so that back returns to the row that was left, not to the first).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Places kept at most (the oldest are dropped).
HISTORY_SIZE = 100


@dataclass(frozen=True, slots=True)
class Place:
    """Where the user was. `pane`: "repositories", "images", "findings" or "finding"."""

    pane: str
    repository: str
    image: str | None = None  # its digest
    image_label: str = ""  # its tag, or its short digest: how messages name it
    finding: str | None = None  # its name (CVE-…)
    # Where the repository is: a repository of the same name elsewhere is another one.
    context: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[object, ...]:
        """What was opened: two places with the same key are the same page, whatever
        their cursor rests on."""
        if self.pane in ("repositories", "images"):
            return (self.context, self.pane, self.repository)
        if self.pane == "findings":
            return (self.context, self.pane, self.repository, self.image)
        return (self.context, self.pane, self.repository, self.image, self.finding)


class History:
    """The places opened, and which one is current."""

    def __init__(self) -> None:
        self.places: list[Place] = []
        self.at = -1  # the current place's index; -1 while nothing was opened

    @property
    def current(self) -> Place | None:
        """Where the user is, as far as the history knows."""
        return self.places[self.at] if self.places else None

    def opened(self, place: Place, came_from: Place | None = None) -> None:
        """`place` was opened from `came_from` (the first time: where the user started)."""
        if not self.places and came_from is not None:
            self.places, self.at = [came_from], 0
        current = self.current
        if current is not None and current.key == place.key:
            return  # the same page again (its cursor is remembered by `moved`)
        del self.places[self.at + 1 :]
        self.places.append(place)
        del self.places[:-HISTORY_SIZE]
        self.at = len(self.places) - 1

    def moved(self, place: Place) -> None:
        """The image cursor rests on `place`'s image: the current place remembers it, if it
        is that repository's images."""
        current = self.current
        if current is not None and current.key == replace(place, pane="images").key:
            self.places[self.at] = replace(
                current, image=place.image, image_label=place.image_label
            )

    def peek(self, step: int) -> Place | None:
        """The place `step` away (-1: back, 1: forward), if there is one."""
        at = self.at + step
        return self.places[at] if self.places and 0 <= at < len(self.places) else None

    def nearest(self, step: int, context: tuple[str, ...]) -> int | None:
        """How far the nearest place of `context` is, going back (`step` -1) or forward
        (1): places of other contexts are passed over, as each context had its own
        history; None when there is none that way."""
        at = self.at + step
        while self.places and 0 <= at < len(self.places):
            if self.places[at].context == context:
                return at - self.at
            at += step
        return None

    def go(self, step: int) -> None:
        """Make the place `step` away the current one (it was restored)."""
        self.at = max(0, min(len(self.places) - 1, self.at + step))
