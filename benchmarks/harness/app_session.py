"""The app driven like a user in the pseudo-terminal, timed by what its screen shows.

`measure_startup` is a launch that quits once the repositories are listed
(`time_start_up`, shared with the demo's launch);
`run_app` is the measured session: the big repository opened, keys pressed while
its images load and after, then a filter typed over all of them.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .common import BIG_REPOSITORY, COLUMNS, KEY_TIMEOUT, LINES, REGION, BenchmarkError, log
from .key_latency import KeyStats, press_and_time
from .launch import app_environment, console_script
from .profiler import Profiler
from .proxy import first_app_call
from .pty_terminal import Terminal
from .resources import CpuWatch, RssSampler
from .screen import (
    NO_BOX,
    REPO_ROW,
    filter_box_open,
    filtered_by,
    find_box,
    image_rows,
    info_digest,
    repositories_filtered,
    subtitle_of,
)


@dataclass
class AppRun:
    """Everything measured on the app, in seconds from the event named."""

    spawned: float = 0.0
    numbers: dict[str, Any] = field(default_factory=dict)
    keys_loading: KeyStats = field(default_factory=KeyStats)
    keys_loaded: KeyStats = field(default_factory=KeyStats)
    filter_ms: list[dict[str, Any]] = field(default_factory=list)
    enter_at: float = 0.0
    images_loaded_at: float | None = None
    finished: float = 0.0
    rss: dict[str, float] = field(default_factory=dict)
    window: tuple[float, float] = (0.0, 0.0)
    cpu: dict[str, float] = field(default_factory=dict)


def watch_start_up(term: Terminal) -> None:
    """Note when the screen first shows anything, the panes, and a repository row."""
    term.watch("first_frame", lambda lines: any(line.strip() for line in lines))
    term.watch("first_full_frame", lambda lines: find_box(lines, "Repositories") is not None)
    term.watch(
        "first_repository_row",
        lambda lines: any(
            REPO_ROW.search(row) for row in (find_box(lines, "Repositories") or NO_BOX).rows
        ),
    )


def time_start_up(
    argv: list[str],
    screens: Path,
    all_listed: Callable[[list[str]], bool],
    timeout: float,
    what: str,
    names: tuple[str, ...],
    first_call_at: str | None = None,
) -> dict[str, float]:
    """Launch `argv`, wait (at most `timeout` s, `what` in the error) until `all_listed`
    holds, then quit.

    The moments `names` (of `watch_start_up`, `repositories_loaded`: when all were
    listed, and `first_call`: the app's first call to `first_call_at`, a counting
    proxy), in seconds since the spawn.
    """
    term = Terminal(argv, app_environment(), screens)
    try:
        watch_start_up(term)
        term.seen["repositories_loaded"] = term.wait_until(all_listed, timeout, what)
        # Let the cursor-follow of the first repository finish before quitting.
        term.settle(quiet=0.3, timeout=3)
    finally:
        term.close(b"q" if term.alive else b"")
    first_call = first_app_call(first_call_at, term.spawned) if first_call_at else None
    if first_call is not None:
        term.seen["first_call"] = first_call
    return {name: round(term.seen[name] - term.spawned, 3) for name in names if name in term.seen}


def measure_startup(args: argparse.Namespace, endpoint: str, run_dir: Path) -> dict[str, float]:
    """One launch: spawn → first frame → first repository row → all repositories; then quit.

    Also its first API call (`endpoint` is the counting proxy): what came before it
    is the app's start, what comes after it the listing's own time.
    """
    repositories = f"{args.repositories:,} repositories"
    return time_start_up(
        [console_script("ecr-tui"), "--endpoint-url", endpoint, "--region", REGION],
        run_dir / "screens.txt",
        lambda lines: subtitle_of(lines, "Repositories") == repositories,
        60,
        "all repositories",
        (
            "first_frame",
            "first_full_frame",
            "first_call",
            "first_repository_row",
            "repositories_loaded",
        ),
        first_call_at=endpoint,
    )


def run_app(
    args: argparse.Namespace,
    endpoint: str,
    run_dir: Path,
    first_page: set[str],
    helper_pids: list[int],
) -> AppRun:
    """Drive the app like a user and time what the screen shows."""
    images = f"{args.big_images:,}"
    repositories = f"{args.repositories:,}"
    argv = [console_script("ecr-tui"), "--endpoint-url", endpoint, "--region", REGION]
    screens = run_dir / "screens.txt"
    screens.write_text("")
    result = AppRun()
    log(f"app: {' '.join(argv)} in a {COLUMNS}x{LINES} pty")
    term = Terminal(argv, app_environment(), screens)
    result.spawned = t0 = term.spawned
    sampler: RssSampler | None = None
    profiler: Profiler | None = None
    try:
        sampler = RssSampler(term.pid)
        cpu = CpuWatch([os.getpid(), term.pid, *helper_pids])
        profiler = Profiler(args.py_spy, args.py_spy_phase, term.pid)
        watch_start_up(term)
        term.watch(
            "repositories_loaded",
            lambda lines: subtitle_of(lines, "Repositories") == f"{repositories} repositories",
        )
        term.watch("connected", lambda lines: "account " in lines[0])
        term.wait_until(lambda _: "first_frame" in term.seen, 30, "a first frame")
        profiler.enter("all")
        term.wait_until(lambda _: "repositories_loaded" in term.seen, 60, "all repositories")
        term.dump("repositories loaded")
        # What the app does on its own at start (the first repository's images and
        # findings follow the cursor) is over before the user starts typing.
        term.settle(quiet=0.4, timeout=5)

        # Watched from now on: the cursor-follow may start the load before the final
        # enter. A row counts if it is from the first page (the images shown before
        # may still be on screen).
        term.watch(
            "first_image_row", lambda lines: image_rows(lines, BIG_REPOSITORY, first_page) > 0
        )
        term.watch(
            "images_loaded",
            lambda lines: (
                BIG_REPOSITORY in (find_box(lines, "Images") or NO_BOX).title
                and subtitle_of(lines, "Images") == f"{images} images"
            ),
        )
        # `/platform/build-cache`, enter (back to the table), enter (drill in).
        term.send(b"/")
        term.wait_until(
            lambda lines: filter_box_open(lines, "Repositories"),
            5,
            "the repositories filter box",
        )
        term.send(BIG_REPOSITORY.encode())
        term.wait_until(
            repositories_filtered,
            10,
            "the repositories filtered",
        )
        # Enter leaves the filter box for the table: the key bar changes with the focus.
        typing_keys = term.lines[-1]
        term.send(b"\r")
        term.wait_until(lambda lines: lines[-1] != typing_keys, 5, "the table focused again")
        profiler.enter("loading")
        result.enter_at = term.send(b"\r")
        term.wait_until(lambda _: term.focused_pane() == "Images", 10, "the images focused")
        term.wait_until(lambda _: "first_image_row" in term.seen, 60, "a first image row")
        term.wait_until(lambda lines: info_digest(lines) is not None, 10, "an image info line")
        term.dump("first image row")

        # Key presses while the pages arrive, then after the last one.
        log("app: pressing j while the images load")
        deadline = time.monotonic() + args.load_timeout
        while "images_loaded" not in term.seen:
            if time.monotonic() > deadline:
                raise BenchmarkError(f"{BIG_REPOSITORY} did not load within {args.load_timeout} s")
            sent_at = time.monotonic()
            latencies = press_and_time(term, b"j", KEY_TIMEOUT)
            stats = result.keys_loading
            if "images_loaded" in term.seen and term.seen["images_loaded"] < sent_at:
                stats = result.keys_loaded
            stats.add(latencies, KEY_TIMEOUT, sent_at - result.enter_at)
            term.pump(args.key_gap)
        result.images_loaded_at = term.seen["images_loaded"]
        profiler.leave("loading")
        term.dump("images loaded")
        log(f"app: pressing j, G, k {args.keys} times after loading")
        term.settle(quiet=0.3, timeout=3)
        profiler.enter("keys")
        # Down, then from the bottom up: every image under the cursor is a new one, so
        # the findings the cursor asks for are never asked for twice.
        for index in range(args.keys):
            half = args.keys // 2
            key = b"j" if index < half else b"G" if index == half else b"k"
            sent_at = time.monotonic()
            latencies = press_and_time(term, key, KEY_TIMEOUT)
            result.keys_loaded.add(latencies, KEY_TIMEOUT, sent_at - result.enter_at)
            term.pump(args.key_gap)

        profiler.leave("keys")

        # A filter over every image, one typed character at a time.
        log(f"app: filtering {images} images with {args.filter!r}")
        term.settle(quiet=0.3, timeout=3)
        profiler.enter("filter")
        term.send(b"/")
        term.wait_until(
            lambda lines: filter_box_open(lines, "Images"),
            5,
            "the images filter box",
        )
        for end in range(1, len(args.filter) + 1):
            typed = args.filter[:end]
            sent = term.send(typed[-1].encode())
            arrived = term.wait_until(filtered_by(typed), 10, f"the images filtered by {typed!r}")
            result.filter_ms.append(
                {
                    "typed": typed,
                    "ms": round((arrived - sent) * 1000, 1),
                    "subtitle": subtitle_of(term.lines, "Images"),
                }
            )
            term.pump(args.key_gap)
        term.dump("filtered")
        sent = term.send(b"\x1b")
        arrived = term.wait_until(
            lambda lines: subtitle_of(lines, "Images") == f"{images} images", 10, "filter cleared"
        )
        result.numbers["filter_clear_esc_ms"] = round((arrived - sent) * 1000, 1)
        profiler.leave("filter")
        result.finished = time.monotonic()
        result.cpu = cpu.stop()
        result.window = (t0, result.finished)
    finally:
        if sampler is not None:
            sampler.stop()
        term.dump("last screen")
        term.close(b"\x1bq" if term.alive else b"")
        if profiler is not None:
            profiler.stop()
    seen = term.seen
    result.numbers.update(
        first_frame_s=_since(seen, "first_frame", t0),
        first_full_frame_s=_since(seen, "first_full_frame", t0),
        connected_s=_since(seen, "connected", t0),
        first_repository_row_s=_since(seen, "first_repository_row", t0),
        repositories_loaded_s=_since(seen, "repositories_loaded", t0),
        first_image_row_from_enter_s=_since(seen, "first_image_row", result.enter_at),
        images_loaded_from_enter_s=_since(seen, "images_loaded", result.enter_at),
        screen_bytes=term.bytes_read,
        screen_reads=term.reads,
        exit_status=term.exit_status,
    )
    if sampler is not None:
        result.rss = {
            "peak_mb": round(sampler.peak / 2**20, 1),
            "after_repositories_mb": round(
                sampler.peak_between(t0, seen.get("repositories_loaded", t0)) / 2**20, 1
            ),
            "samples": len(sampler.samples),
        }
    return result


def _since(seen: dict[str, float], name: str, start: float) -> float | None:
    return round(seen[name] - start, 3) if name in seen else None
