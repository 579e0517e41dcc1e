"""Fleet triage measured: the findings fan-out against a shell loop of the AWS CLI.

The question: every finding of the newest N images of each repository. Asked
three ways on one endpoint behind the counting proxy, which adds a latency to
every call (a network to AWS, not a loopback):

1. `ecr-tui export findings --newest N` (headless): wall time, peak RSS, calls.
2. The app in a pty: `V`, then `n` to the newest N; keys pressed (j/k) while the
   fan-out runs, each timed to the frame that moves the cursor; peak RSS.
3. A shell loop of `aws ecr describe-image-scan-findings` over the same images
   (a sample of them, timed, and the whole loop extrapolated from its pace).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .common import COLUMNS, KEY_TIMEOUT, LINES, REGION, BenchmarkError, log
from .key_latency import KeyStats
from .launch import app_environment, console_script, find_script
from .proxy import fetch_calls
from .pty_terminal import Terminal
from .resources import RssSampler
from .screen import find_box, subtitle_of

CVE_ROW = re.compile(r"\b(?:CVE|GHSA|ALAS)[-\w]+")
NEWEST_STEPS = {1: 1, 3: 2, 5: 3, 10: 4}  # presses of `n` from "every image"


def headless_export(endpoint: str, newest: int, concurrency: int, run_dir: Path) -> dict[str, Any]:
    """`ecr-tui export findings --newest N` to a file: wall time, peak RSS, exit status."""
    out = run_dir / "fleet-export.json"
    command = [
        console_script("ecr-tui"), "export", "findings", "--endpoint-url", endpoint,
        "--region", REGION, "--newest", str(newest), "--format", "json", "-o", str(out),
        "--concurrency", str(concurrency), "--fail-on", "none",
    ]  # fmt: skip
    log(f"fleet: {' '.join(command)}")
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=app_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = RssSampler(process.pid, interval=0.05)
    _, stderr = process.communicate(timeout=3600)
    wall = time.monotonic() - started
    sampler.stop()
    if process.returncode not in (0, 1):
        raise BenchmarkError(f"export failed ({process.returncode}): {stderr.decode()[-2000:]}")
    document = json.loads(out.read_text())
    images = sorted({(f["repository"], f["image_digest"]) for f in document["findings"]})
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(sampler.peak / 2**20, 1),
        "findings": len(document["findings"]),
        "images_with_findings": len(images),
        "coverage": document["coverage"],
        "stderr_tail": stderr.decode(errors="replace").strip().splitlines()[-1:],
    }


def fanout_calls(
    calls: list[dict[str, Any]], since: float
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The app's calls since `since`, by operation; the findings calls against their minimum."""
    mine = [c for c in calls if c["kind"] == "app" and c["start"] >= since]
    by_op = Counter(c["op"] for c in mine)
    findings = [c for c in mine if c["op"] == "DescribeImageScanFindings"]
    asked = Counter((c["repo"], c["key"]) for c in findings)
    # One call per findings page: a report past 1,000 findings needs a page more.
    pages_needed = len(asked) + sum(1 for c in findings if c["token_in"])
    return {
        "total": len(mine),
        "by_operation": dict(by_op),
        "findings_reports": len(asked),
        "findings_calls": len(findings),
        "findings_minimum": pages_needed,
        "throttled_or_failed": sum(1 for c in mine if c["status"] != 200),
        "images_asked_twice": sum(1 for n in asked.values() if n > 1),
    }, sorted(asked)


def cli_loop(images: list[tuple[str, str]], sample: int, endpoint: str) -> dict[str, Any]:
    """A shell loop of `aws ecr describe-image-scan-findings` over a sample of the images."""
    aws = find_script("aws")
    if aws is None:
        return {"skipped": "the AWS CLI is not installed"}
    chosen = images[:: max(1, len(images) // sample)][:sample] if images else []
    lines = [
        f"{aws} ecr describe-image-scan-findings --repository-name {repo} "
        f"--image-id imageDigest={digest} --endpoint-url {endpoint} --region {REGION} "
        "--output json > /dev/null || exit 1"
        for repo, digest in chosen
    ]
    script = "\n".join(["set -e", *lines]) + "\n"
    log(f"fleet: the AWS CLI over {len(chosen)} of {len(images)} images (a shell loop)")
    started = time.monotonic()
    done = subprocess.run(["bash", "-c", script], env=app_environment(), capture_output=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise BenchmarkError(f"the CLI loop failed: {done.stderr.decode()[-2000:]}")
    per_image = wall / len(chosen) if chosen else 0.0
    return {
        "images_timed": len(chosen),
        "timed_s": round(wall, 2),
        "per_image_s": round(per_image, 3),
        "all_images_extrapolated_s": round(per_image * len(images), 1),
    }


def highlighted_cve(term: Terminal) -> str | None:
    """The vulnerability row drawn in the cursor colour (None: none, or no view)."""
    box = find_box(term.lines, "Vulnerabilities")
    if box is None:
        return None
    rows = [
        (term.screen.buffer[box.top + 1 + i][box.left + 2].bg, row)
        for i, row in enumerate(box.rows)
        if CVE_ROW.search(row)
    ]
    colours = [bg for bg, _ in rows]
    odd = [row for bg, row in rows if colours.count(bg) == 1]
    return odd[0] if len(rows) > 1 and len(odd) == 1 else None


def _progress(lines: list[str]) -> str:
    """The view's progress line: its phase's count ("reports", or Inspector's "findings")
    and its calls."""
    return next(
        (line for line in lines[:6] if re.search(r"\b(reports|findings) [\d,?]+/.* calls\b", line)),
        "",
    )


def app_fanout(
    endpoint: str,
    newest: int,
    repositories: int,
    run_dir: Path,
    *,
    env: dict[str, str] | None = None,
    source: str = "",
) -> dict[str, Any]:
    """The view's fan-out in the real app: keys pressed meanwhile, timed; peak RSS.

    `env`: the endpoint named by botocore's variables (AWS_ENDPOINT_URL_ECR, ...) and a
    profile: the app is started without --endpoint-url, as on AWS (Inspector may answer).
    `source`: the words the coverage line must start with (the benchmark fails otherwise).
    """
    argv = [console_script("ecr-tui")]
    if env is None:
        argv += ["--endpoint-url", endpoint, "--region", REGION]
    log(f"fleet: {' '.join(argv)} in a {COLUMNS}x{LINES} pty")
    screens = run_dir / ("fleet-inspector-screens.txt" if source else "fleet-screens.txt")
    term = Terminal(argv, env or app_environment(), screens)
    sampler = RssSampler(term.pid)
    keys = KeyStats()
    try:
        total = f"{repositories:,} repositories"
        term.wait_until(lambda lines: subtitle_of(lines, "Repositories") == total, 120, "repos")
        term.settle(quiet=0.4, timeout=5)
        term.send(b"V")
        term.wait_until(lambda lines: find_box(lines, "Vulnerabilities") is not None, 10, "V")
        for _ in range(NEWEST_STEPS[newest]):
            term.send(b"n")
            term.pump(0.1)
        wanted = f"newest {newest} per repository"
        term.wait_until(lambda lines: wanted in "".join(lines[:2]), 10, "the newest-N scope")
        started = time.monotonic()
        term.wait_until(lambda _: highlighted_cve(term) is not None, 120, "a first row")
        first_row_s = time.monotonic() - started
        term.dump("fan-out started")
        index = 0
        while "done in" not in _progress(term.lines):
            if time.monotonic() - started > 3600:
                raise BenchmarkError("the app's fan-out did not finish within an hour")
            while term.pump(0) is not None:
                pass
            before = highlighted_cve(term)
            sent = term.send(b"j" if index % 2 == 0 else b"k")
            index += 1
            moved: float | None = None
            deadline = sent + KEY_TIMEOUT
            while moved is None and time.monotonic() < deadline:
                arrived = term.pump(0.25)
                if arrived is not None and arrived >= sent and highlighted_cve(term) != before:
                    moved = (arrived - sent) * 1000
            keys.add((moved, moved), KEY_TIMEOUT, sent - started)
            term.pump(0.03)
        term.dump("fan-out done")
        progress = _progress(term.lines)
        done = re.search(r"done in ([\d.]+) s", progress)
        coverage = next((line.strip() for line in term.lines[:6] if "findings for" in line), "")
        if source and not coverage.startswith(source):
            raise BenchmarkError(
                f"the app's source is not {source}: {coverage!r} (screens: {screens})"
            )
    finally:
        sampler.stop()
        term.close(b"\x1bq" if term.alive else b"")
    summary = keys.summary()
    summary.pop("presses", None)
    return {
        "fanout_s": float(done.group(1)) if done else None,
        "first_row_s": round(first_row_s, 2),
        "progress": progress.strip(),
        "coverage": coverage,
        "keys": summary,
        "key_p99_ms": summary["cursor_p99_ms"],
        "peak_rss_mb": round(sampler.peak / 2**20, 1),
    }


def fleet_benchmark(
    args: argparse.Namespace, endpoint: str, proxy: Any, run_dir: Path
) -> dict[str, Any]:
    """All three, in order; the numbers and the targets of the issue."""
    since = time.monotonic()
    headless = headless_export(endpoint, args.newest, args.concurrency, run_dir)
    calls, images = fanout_calls(fetch_calls(proxy), since)
    headless["calls"] = calls
    log(f"fleet: headless {headless['wall_s']} s, {calls['total']} calls")
    app = None if args.skip_app else app_fanout(endpoint, args.newest, args.repositories, run_dir)
    cli = None if args.skip_cli else cli_loop(images, args.cli_sample, endpoint)
    report: dict[str, Any] = {"headless": headless, "app": app, "cli": cli}
    targets: dict[str, Any] = {}
    if cli and "all_images_extrapolated_s" in cli:
        speedup = cli["all_images_extrapolated_s"] / headless["wall_s"]
        targets["speedup_vs_cli_loop"] = {"value": round(speedup, 1), "target": 10.0}
    targets["calls_vs_minimum"] = {
        "value": round(calls["findings_calls"] / max(calls["findings_minimum"], 1), 3),
        "target": 1.0,
    }
    targets["peak_rss_mb"] = {"value": headless["peak_rss_mb"], "target": 500.0}
    if app:
        targets["key_p99_ms"] = {"value": app["key_p99_ms"], "target": 50.0}
        targets["app_peak_rss_mb"] = {"value": app["peak_rss_mb"], "target": 500.0}
    for target in targets.values():
        value = target["value"]
        higher_is_better = target is targets.get("speedup_vs_cli_loop")
        ok = value is not None and (
            value >= target["target"] if higher_is_better else value <= target["target"]
        )
        target["met"] = ok
    report["targets"] = targets
    return report
