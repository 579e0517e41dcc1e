"""The coverage line of the vulnerabilities views: which images the rows speak for.

One text for the view and for the images a row drills into, wrapped to at most
three lines, the last ending in "…" when cut. After a cancel it counts what was
never reached, not only the reports not read: the repositories not listed yet,
and, when Amazon Inspector was cancelled before the fan-out's turn, the
repositories Inspector does not scan.
"""

from __future__ import annotations

import time

from rich.console import Console
from textual.widgets import Static

from ecr_tui.core.fleet.fanout import Progress
from ecr_tui.core.fleet.inspector import SOURCE as INSPECTOR
from ecr_tui.core.fleet.source import FAN_OUT
from ecr_tui.ui.fleet.session import FleetSession
from ecr_tui.ui.table.cells import wrapped_lines

# The coverage line's room: what does not fit ends in "…", never cut unmarked.
COVERAGE_LINES = 3


def coverage_text(session: FleetSession) -> str:
    """The coverage of `session`'s triage, marked so far / partial, its problems after."""
    progress = session.progress
    coverage = session.coverage_line
    # What was never reached first: the line's end may be cut on a narrow screen.
    if not_reached := _not_reached(session, progress):
        coverage = f"{not_reached}; {coverage}"
    if progress.finished and not session.complete:
        coverage = "partial: " + coverage
    elif not progress.finished:
        coverage = "so far: " + coverage
    if session.reused:  # shown again: as old as its read, and `r` reads anew
        coverage = f"{reused_words(session.read_at)} · {coverage}"
    problems = session.problems
    if problems and progress.failed:  # what stopped it, and what to do, first
        coverage = f"{problems[-1]} · {coverage}"
    elif problems:
        coverage += f" · {problems[0]}"
    return coverage


def reused_words(read_at: float, now: float | None = None) -> str:
    """What the line says of a read shown again: when it was (its day too when not
    today's), and how to read anew."""
    when, today = time.localtime(read_at), time.localtime(now)
    same_day = (when.tm_year, when.tm_yday) == (today.tm_year, today.tm_yday)
    clock = time.strftime("%H:%M:%S" if same_day else "%Y-%m-%d %H:%M:%S", when)
    return f"reports from the read at {clock} · r reads again"


def _not_reached(session: FleetSession, progress: Progress) -> str:
    """What a cancel left unreached, beyond the images listed but not read."""
    if not progress.cancelled:
        return ""
    if session.scan.source == INSPECTOR and not session.scan.fallback:
        # Cancelled in Inspector's phase: the fan-out for the repositories it does
        # not scan (basic scanning) never started, nor listed them: no count to give.
        return "the repositories Inspector does not scan not reached (cancelled)"
    if progress.repositories is None:
        return "the repositories not listed yet not reached (cancelled)"
    unlisted = progress.repositories - progress.repositories_listed
    if unlisted > 0:
        noun = "repository" if unlisted == 1 else "repositories"
        return f"{unlisted:,} {noun} not reached (cancelled)"
    return ""


def phase(source: str) -> tuple[str, str]:
    """The phase a triage is in, by the source answering now, and what it counts.

    Amazon Inspector counts its findings; the fan-out (alone, or after Inspector for
    the repositories it does not scan) counts reports, one an image.
    """
    if source == INSPECTOR:
        return INSPECTOR, "findings"
    if FAN_OUT in source:
        return FAN_OUT, "reports"
    return "", "reports"  # the source is not chosen yet


def show_coverage(line: Static, text: str) -> None:
    """`text` in `line`, wrapped to its width (before the first layout: the screen's)."""
    width = line.content_region.width or line.app.size.width - 2  # its padding
    line.update(within_lines(line.app.console, text, width))


def within_lines(console: Console, text: str, width: int, most: int = COVERAGE_LINES) -> str:
    """`text` wrapped to `width`, at most `most` lines, the last marked when cut."""
    if width <= 1:
        return text
    lines = wrapped_lines(console, text, width)
    if len(lines) <= most:
        return "\n".join(lines)
    kept = lines[:most]
    kept[-1] = kept[-1][: width - 1].rstrip() + "…"
    return "\n".join(kept)
