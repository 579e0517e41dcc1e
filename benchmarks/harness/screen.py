"""Reading the app's screen as text: its panes by title, their rows and subtitles."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .common import BIG_REPOSITORY


@dataclass
class Box:
    """A bordered pane found on the screen by its title."""

    title: str
    subtitle: str
    rows: list[str]  # inner lines, borders cut off
    top: int = 0  # the screen line of the top border
    left: int = 0  # the screen column of the left border


NO_BOX = Box("", "", [])
PANES = ("Repositories", "Images", "Findings")
_BORDER = "─╰╯╭╮ "


def find_box(lines: Sequence[str], title: str) -> Box | None:
    """The pane whose top border starts with `╭─ <title>`."""
    for top, line in enumerate(lines):
        left = line.find(f"╭─ {title}")
        if left < 0:
            continue
        right = line.find("╮", left)
        if right < 0:
            return None
        for bottom in range(top + 1, len(lines)):
            if lines[bottom][left : left + 1] == "╰":
                inner = [row[left + 1 : right] for row in lines[top + 1 : bottom]]
                return Box(
                    title=line[left + 1 : right].strip(_BORDER),
                    subtitle=lines[bottom][left + 1 : right].strip(_BORDER),
                    rows=inner,
                    top=top,
                    left=left,
                )
        return None
    return None


REPO_ROW = re.compile(r"\b(?:IM)?MUTABLE\b")
IMAGE_ROW = re.compile(r"\b[0-9a-f]{12}\b")
_DIGEST = re.compile(r"sha256:[0-9a-f]{16,}")


def image_rows(lines: Sequence[str], repository: str, digests: set[str]) -> int:
    """How many rows of `repository`'s images the images pane shows (known by short digest)."""
    box = find_box(lines, "Images")
    if box is None or repository not in box.title:
        return 0
    return sum(
        1
        for row in box.rows
        if "sha256:" not in row and any(m in digests for m in IMAGE_ROW.findall(row))
    )


def info_digest(lines: Sequence[str]) -> str | None:
    """The digest the images pane's info line shows (the highlighted image)."""
    box = find_box(lines, "Images")
    if box is None:
        return None
    for row in box.rows:
        match = _DIGEST.search(row)
        if match:
            return match.group(0)
    return None


def filter_box_open(lines: Sequence[str], title: str) -> bool:
    """True when a pane shows its (empty) filter box."""
    return any("filter (esc clears)" in row for row in (find_box(lines, title) or NO_BOX).rows)


def repositories_filtered(lines: Sequence[str]) -> bool:
    """True once the repositories pane shows the big repository's row alone."""
    box = find_box(lines, "Repositories") or NO_BOX
    rows = [row for row in box.rows if REPO_ROW.search(row)]
    typed = any(row.strip() == BIG_REPOSITORY for row in box.rows)
    return typed and bool(rows) and all(BIG_REPOSITORY in row for row in rows)


def filtered_by(typed: str) -> Callable[[list[str]], bool]:
    """A screen test: the images pane says it is filtered by exactly `typed`."""
    return lambda lines: subtitle_of(lines, "Images").endswith(f"filter: {typed}")


def subtitle_of(lines: Sequence[str], title: str) -> str:
    """A pane's border subtitle ("" when the pane is not on screen)."""
    box = find_box(lines, title)
    return box.subtitle if box else ""
