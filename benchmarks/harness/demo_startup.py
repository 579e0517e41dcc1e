"""`ecr-tui --demo` as a new user starts it: the time to its first repository row.

The demo's endpoint starts with the app (moto's server, seeded in a child
process), so this is the start-up a user of the quick start sees, unlike the
other launches, which find their endpoint already running.
"""

from __future__ import annotations

import re
from pathlib import Path

from .app_session import time_start_up
from .launch import console_script
from .screen import subtitle_of

# The border's count once the listing is over ("36 repositories").
ALL_LISTED = re.compile(r"^[\d,]+ repositories$")


def measure_demo_startup(run_dir: Path) -> dict[str, float]:
    """One `ecr-tui --demo` launch: spawn → first frame → first repository row; then quit."""
    return time_start_up(
        [console_script("ecr-tui"), "--demo"],
        run_dir / "demo.txt",
        lambda lines: ALL_LISTED.match(subtitle_of(lines, "Repositories") or "") is not None,
        30,
        "the demo's repositories",
        ("first_frame", "first_repository_row"),
    )
