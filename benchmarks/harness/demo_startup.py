"""`ecr-tui --demo` as a new user starts it: the time to its first repository row.

The demo's endpoint starts with the app (moto's server, seeded in a child
process), so this is the start-up a user of the quick start sees, unlike the
other launches, which find their endpoint already running.
"""

from __future__ import annotations

import re
from pathlib import Path

from .app_session import watch_start_up
from .launch import app_environment, console_script
from .pty_terminal import Terminal
from .screen import subtitle_of

# The border's count once the listing is over ("36 repositories").
ALL_LISTED = re.compile(r"^[\d,]+ repositories$")


def measure_demo_startup(run_dir: Path) -> dict[str, float]:
    """One `ecr-tui --demo` launch: spawn → first frame → first repository row; then quit."""
    term = Terminal([console_script("ecr-tui"), "--demo"], app_environment(), run_dir / "demo.txt")
    try:
        watch_start_up(term)
        term.wait_until(
            lambda lines: ALL_LISTED.match(subtitle_of(lines, "Repositories") or "") is not None,
            30,
            "the demo's repositories",
        )
        term.settle(quiet=0.3, timeout=3)
    finally:
        term.close(b"q" if term.alive else b"")
    return {
        name: round(term.seen[name] - term.spawned, 3)
        for name in ("first_frame", "first_repository_row")
        if name in term.seen
    }
