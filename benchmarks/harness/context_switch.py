"""A context switch timed like a start-up: the keys that switch → the first repository row;
then keys pressed while a switch loads a big listing.

The app is launched as for the start-up launches and left to list every
repository of us-east-1. Then, through the command bar as a user does
(`:region eu-west-1`), it switches to eu-west-1, which the benchmark's
endpoint leaves empty, and back to us-east-1: from the enter that chooses
us-east-1 to the first row of its repositories on screen is the number. The
same listing as a cold start's "first repository row", without the app's start
(the reader child process is the one that started with the app).

Then the big repository is opened and, while its images still load, the app
switches away and back: coming back restores the place (the repository, the
image under the cursor), so the 100,000 images load again, and `j` is pressed
in the images table until they are all listed, each press timed as in the
measured session.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .app_session import watch_start_up
from .common import BIG_REPOSITORY, KEY_TIMEOUT, REGION, BenchmarkError, log
from .key_latency import KeyStats, press_and_time
from .launch import app_environment, console_script
from .proxy import first_app_call
from .pty_terminal import Terminal
from .screen import (
    NO_BOX,
    REPO_ROW,
    filter_box_open,
    find_box,
    info_digest,
    repositories_filtered,
    subtitle_of,
)

OTHER_REGION = "eu-west-1"


def _repository_rows(lines: list[str]) -> bool:
    return any(REPO_ROW.search(row) for row in (find_box(lines, "Repositories") or NO_BOX).rows)


def _switch_region(term: Terminal, region: str) -> float:
    """`:region REGION` in the command bar, as typed; when its enter was sent."""
    term.send(b":")
    term.wait_until(lambda lines: lines[-1].strip() == ":", 5, "the command bar")
    command = f"region {region}"
    term.send(command.encode())
    term.wait_until(lambda lines: lines[-1].strip() == f":{command}", 5, "the command typed")
    return term.send(b"\r")


def _big_repository_shown(lines: list[str]) -> bool:
    """The images pane shows the big repository with an image under the cursor."""
    box = find_box(lines, "Images") or NO_BOX
    return BIG_REPOSITORY in box.title and info_digest(lines) is not None


def _away_listed(lines: list[str]) -> bool:
    return OTHER_REGION in lines[0] and subtitle_of(lines, "Repositories") == "0 repositories"


def _open_big_repository(term: Terminal) -> None:
    """`/platform/build-cache`, enter (back to the table), enter (drill in)."""
    term.send(b"/")
    term.wait_until(
        lambda lines: filter_box_open(lines, "Repositories"), 5, "the repositories filter"
    )
    term.send(BIG_REPOSITORY.encode())
    term.wait_until(repositories_filtered, 10, "the repositories filtered")
    typing_keys = term.lines[-1]
    term.send(b"\r")
    term.wait_until(lambda lines: lines[-1] != typing_keys, 5, "the table focused again")
    term.send(b"\r")
    term.wait_until(_big_repository_shown, 30, f"a first image of {BIG_REPOSITORY}")


def _keys_while_switch_loads(
    args: argparse.Namespace, term: Terminal, keys: KeyStats
) -> dict[str, float]:
    """Open the big repository, switch away while it loads and back; `j` until it is listed."""
    images = f"{args.big_images:,}"
    _open_big_repository(term)
    _switch_region(term, OTHER_REGION)
    term.wait_until(_away_listed, 30, f"{OTHER_REGION} listed (empty)")
    term.settle(quiet=0.4, timeout=5)
    back = _switch_region(term, REGION)
    term.watch(
        "switch_images_loaded",
        lambda lines: (
            BIG_REPOSITORY in (find_box(lines, "Images") or NO_BOX).title
            and subtitle_of(lines, "Images") == f"{images} images"
        ),
    )
    restored = term.wait_until(_big_repository_shown, 30, f"{BIG_REPOSITORY} restored")
    term.dump("switched back, the big repository restored")
    # Coming back gives the focus back to the pane that had it (the images, drilled
    # into before the switch); were it on the repositories, enter drills into the
    # images shown (it does not load them again).
    if term.focused_pane() != "Images":
        term.send(b"\r")
    term.wait_until(lambda _: term.focused_pane() == "Images", 10, "the images focused")
    deadline = time.monotonic() + args.load_timeout
    while "switch_images_loaded" not in term.seen:
        if time.monotonic() > deadline:
            raise BenchmarkError(f"{BIG_REPOSITORY} did not load again in {args.load_timeout} s")
        sent_at = time.monotonic()
        latencies = press_and_time(term, b"j", KEY_TIMEOUT)
        if "switch_images_loaded" in term.seen and term.seen["switch_images_loaded"] < sent_at:
            break  # pressed after the last page: not a key while the switch loads
        keys.add(latencies, KEY_TIMEOUT, sent_at - back)
        term.pump(args.key_gap)
    term.dump("the big repository listed again")
    return {
        "restored_image_under_cursor_s": round(restored - back, 3),
        "restored_images_loaded_s": round(term.seen["switch_images_loaded"] - back, 3),
    }


def measure_context_switch(
    args: argparse.Namespace, endpoint: str, run_dir: Path, keys: KeyStats
) -> dict[str, float]:
    """One launch: list us-east-1, switch to eu-west-1 and back; the switch's times.

    Then the keys pressed while a switch loads the big repository, added to `keys`.
    """
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
        listed_away = term.wait_until(_away_listed, 30, f"{OTHER_REGION} listed (empty)")
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
        numbers = {
            "switch_away_listed_s": round(listed_away - away, 3),
            "first_repository_row_s": round(first_row - back, 3),
            "repositories_loaded_s": round(all_listed - back, 3),
        }
        # (`endpoint` is the counting proxy: where the switch's time went, before
        # its first call and after, the latter to compare with a cold start's.)
        first_call = first_app_call(endpoint, back)
        if first_call is not None:
            numbers["first_call_s"] = round(first_call - back, 3)
        numbers.update(_keys_while_switch_loads(args, term, keys))
    finally:
        term.close(b"\x1bq" if term.alive else b"")
    log(f"app: context switch {numbers}")
    return numbers
