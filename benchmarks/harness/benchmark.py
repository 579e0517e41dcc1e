"""The whole run, in order: the endpoint and the proxy, the reference page, the
start-up launches, the measured app session, the AWS CLI; then the report."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from .api_calls import call_summary
from .app_session import measure_startup, run_app
from .aws_cli import aws_cli_version, run_cli
from .common import BIG_REPOSITORY, COLUMNS, LINES, TARGETS, log
from .context_switch import measure_context_switch
from .demo_startup import measure_demo_startup
from .endpoint import start_endpoint
from .install_size import install_sizes
from .key_latency import KeyStats
from .launch import app_code, app_environment, compile_app, find_script
from .proxy import fetch_calls, start_proxy
from .reference_page import probe
from .report import evaluate
from .services import Service


def _median(values: Iterator[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(statistics.median(known), 3) if known else None


def _difference(later: float | None, earlier: float | None) -> float | None:
    return later - earlier if later is not None and earlier is not None else None


def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Run everything; the report."""
    started = time.monotonic()
    run_dir = args.output.parent
    run_dir.mkdir(parents=True, exist_ok=True)
    services: list[Service] = []
    try:
        endpoint = start_endpoint(args.repositories, args.big_images, run_dir)
        services.append(endpoint)
        proxy = start_proxy(endpoint.url, run_dir)
        services.append(proxy)
        log(f"endpoint {endpoint.url}, counted through {proxy.url}")
        reference = probe(proxy.url, BIG_REPOSITORY, repetitions=3)
        log(f"one 1,000-image page: {reference['first_page_s']} s")

        first_page = set(reference.pop("first_page_short_digests"))
        compile_app()
        launches = []
        for number in range(args.startup_runs):
            log(f"app: start-up alone, launch {number + 1} of {args.startup_runs}")
            launches.append(measure_startup(args, proxy.url, run_dir))
        demo_launches = []
        for number in range(args.startup_runs):
            log(f"app: `ecr-tui --demo` start-up, launch {number + 1} of {args.startup_runs}")
            demo_launches.append(measure_demo_startup(run_dir))
        switches = []
        switch_keys = KeyStats()
        for number in range(args.startup_runs):
            log(f"app: context switch, launch {number + 1} of {args.startup_runs}")
            switches.append(measure_context_switch(args, proxy.url, run_dir, switch_keys))
        helpers = [endpoint.process.pid, proxy.process.pid]
        app = run_app(args, proxy.url, run_dir, first_page, helpers)
        calls = fetch_calls(proxy)
        # The start-up launches made calls too: only the measured session's count.
        app_calls = [c for c in calls if c["kind"] == "app" and c["start"] >= app.spawned]
        first_call_s = (
            round(min(float(c["start"]) for c in app_calls) - app.spawned, 3) if app_calls else None
        )
        launches.append(
            {
                "first_frame": app.numbers["first_frame_s"],
                "first_full_frame": app.numbers["first_full_frame_s"],
                "first_call": first_call_s,
                "first_repository_row": app.numbers["first_repository_row_s"],
                "repositories_loaded": app.numbers["repositories_loaded_s"],
            }
        )
        big_pages = sorted(
            (c for c in app_calls if c["op"] == "DescribeImages" and c["repo"] == BIG_REPOSITORY),
            key=lambda c: float(c["start"]),
        )
        app_calls.sort(key=lambda c: float(c["start"]))
        repo_pages = [c for c in app_calls if c["op"] == "DescribeRepositories"]
        load_start = app.enter_at
        if big_pages:
            load_start = min(app.enter_at, float(big_pages[0]["start"]))
        first_row_at = (app.numbers["first_image_row_from_enter_s"] or 0) + app.enter_at
        loaded_at = app.images_loaded_at
        app_numbers: dict[str, Any] = dict(app.numbers)
        app_numbers.update(
            first_image_row_s=round(first_row_at - load_start, 3),
            images_loaded_s=round(loaded_at - load_start, 3) if loaded_at else None,
            load_started_from_enter_s=round(load_start - app.enter_at, 3),
            first_page_answered_s=(
                round(float(big_pages[0]["end"]) - load_start, 3) if big_pages else None
            ),
            last_page_answered_s=(
                round(float(big_pages[-1]["end"]) - load_start, 3) if big_pages else None
            ),
            big_repository_pages=len(big_pages),
            first_call_s=first_call_s,
            first_repositories_page_answered_s=(
                round(float(repo_pages[0]["end"]) - app.spawned, 3) if repo_pages else None
            ),
            keys_during_loading=app.keys_loading.summary(),
            keys_after_loading=app.keys_loaded.summary(),
            filter=app.filter_ms,
            rss=app.rss,
            cpu=app.cpu,
            launches=launches,
            first_frame_median_s=_median(launch.get("first_frame") for launch in launches),
            first_full_frame_median_s=_median(
                launch.get("first_full_frame") for launch in launches
            ),
            first_repository_row_median_s=_median(
                launch.get("first_repository_row") for launch in launches
            ),
            repositories_loaded_median_s=_median(
                launch.get("repositories_loaded") for launch in launches
            ),
            demo_launches=demo_launches,
            demo_first_repository_row_median_s=_median(
                launch.get("first_repository_row") for launch in demo_launches
            ),
            # The listing's own part of a cold start (each launch's first repository
            # row minus its first call): what a switch's first row may cost at most.
            listing_first_row_median_s=_median(
                _difference(launch.get("first_repository_row"), launch.get("first_call"))
                for launch in launches
            ),
            context_switches=switches,
            context_switch_first_repository_row_median_s=_median(
                switch.get("first_repository_row_s") for switch in switches
            ),
            keys_during_switch_load=switch_keys.summary(),
            install=install_sizes(),
        )

        cli: dict[str, Any] | None = None
        cli_calls: list[dict[str, Any]] = []
        aws = None if args.skip_cli else find_script("aws")
        if aws is None and not args.skip_cli:
            log("the AWS CLI is not installed (pip install awscli): no comparison")
        if aws is not None:
            version = aws_cli_version(aws, app_environment())
            before = len(calls)
            cli = {"version": version}
            cli["describe_repositories_s"] = round(
                run_cli(aws, version, ["ecr", "describe-repositories"], proxy.url, 120), 3
            )
            repo_calls = len(fetch_calls(proxy)) - before
            cli["describe_images_s"] = round(
                run_cli(
                    aws,
                    version,
                    ["ecr", "describe-images", "--repository-name", BIG_REPOSITORY],
                    proxy.url,
                    240,
                ),
                3,
            )
            calls = fetch_calls(proxy)
            cli_calls = [c for c in calls if c["kind"] == "cli"]
            cli["describe_repositories_calls"] = repo_calls
            cli["describe_images_calls"] = len(cli_calls) - repo_calls
            log(f"cli: {cli['describe_repositories_s']} s and {cli['describe_images_s']} s")
        # Every call as the proxy saw it (monotonic times), for a closer look.
        (run_dir / "calls.json").write_text(json.dumps(calls))
    finally:
        for service in reversed(services):
            service.stop()

    report: dict[str, Any] = {
        "command": "python benchmarks/run.py " + " ".join(sys.argv[1:]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "dataset": {
            "repositories": args.repositories,
            "big_images": args.big_images,
            "big_repository": BIG_REPOSITORY,
        },
        "terminal": f"{COLUMNS}x{LINES}",
        "app_code": app_code(),
        "reference": reference,
        "app": app_numbers,
        "cli": cli,
        "api_calls": {
            "app": call_summary(app_calls),
            "cli": call_summary(cli_calls) if cli_calls else None,
        },
        "targets_defined": TARGETS,
    }
    report["targets"] = evaluate(report)
    report["run_seconds"] = round(time.monotonic() - started, 1)
    return report
