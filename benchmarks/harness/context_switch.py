"""A context switch timed like a start-up: the keys that switch → the first repository row.

The app is launched as for the start-up launches and left to list every
repository of us-east-1. Then, through the palette as a user does (ctrl+p,
"Pick a region", the region), it switches to eu-west-1, which the benchmark's
endpoint leaves empty, and back to us-east-1: from the enter that chooses
us-east-1 to the first row of its repositories on screen is the number. The
same listing as a cold start's "first repository row", without the app's start
(the reader child process is the one that started with the app).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .app_session import watch_start_up
from .common import REGION, log
from .launch import app_environment, console_script
from .pty_terminal import Terminal
from .screen import NO_BOX, REPO_ROW, find_box, subtitle_of

OTHER_REGION = "eu-west-1"
CTRL_P = b"\x10"


def _repository_rows(lines: list[str]) -> bool:
    return any(REPO_ROW.search(row) for row in (find_box(lines, "Repositories") or NO_BOX).rows)


def _switch_region(term: Terminal, region: str) -> float:
    """Open the region picker from the palette and choose `region`; when enter was sent."""
    term.send(CTRL_P)
    term.wait_until(lambda lines: any("🔎" in line for line in lines), 5, "the palette")
    term.send(b"Pick a region")
    term.wait_until(lambda lines: any("Pick a region…" in line for line in lines), 5, "the command")
    term.settle(quiet=0.2, timeout=2)
    term.send(b"\r")
    term.wait_until(lambda lines: any("now)…" in line for line in lines), 5, "the region picker")
    term.send(region.encode())
    term.settle(quiet=0.2, timeout=2)
    return term.send(b"\r")


def measure_context_switch(
    args: argparse.Namespace, endpoint: str, run_dir: Path
) -> dict[str, float]:
    """One launch: list us-east-1, switch to eu-west-1 and back; the switch's times."""
    repositories = f"{args.repositories:,}"
    argv = [console_script("ecr-tui"), "--endpoint-url", endpoint, "--region", REGION]
    term = Terminal(argv, app_environment(), run_dir / "context-switch.txt")
    try:
        watch_start_up(term)
        term.wait_until(
            lambda lines: subtitle_of(lines, "Repositories") == f"{repositories} repositories",
            60,
            "all repositories",
        )
        term.settle(quiet=0.4, timeout=5)
        away = _switch_region(term, OTHER_REGION)
        listed_away = term.wait_until(
            lambda lines: (
                OTHER_REGION in lines[0] and subtitle_of(lines, "Repositories") == "0 repositories"
            ),
            30,
            f"{OTHER_REGION} listed (empty)",
        )
        term.settle(quiet=0.4, timeout=5)
        back = _switch_region(term, REGION)
        first_row = term.wait_until(_repository_rows, 30, f"a repository row of {REGION}")
        term.dump("switched back")
        all_listed = term.wait_until(
            lambda lines: subtitle_of(lines, "Repositories") == f"{repositories} repositories",
            60,
            f"all repositories of {REGION} again",
        )
        term.settle(quiet=0.3, timeout=3)
    finally:
        term.close(b"q" if term.alive else b"")
    numbers = {
        "switch_away_listed_s": round(listed_away - away, 3),
        "first_repository_row_s": round(first_row - back, 3),
        "repositories_loaded_s": round(all_listed - back, 3),
    }
    log(f"app: context switch {numbers}")
    return numbers
