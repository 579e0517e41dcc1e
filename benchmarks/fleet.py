"""Benchmark fleet triage: the findings fan-out against a shell loop of the AWS CLI.

    python benchmarks/fleet.py                      # 2,000 repositories, newest 5 each, 50 ms
    python benchmarks/fleet.py --repositories 200 --big-images 5000   # a quick run
    python benchmarks/fleet.py --repositories 200 --big-images 5000 --only-inspector

One endpoint (`python -m ecr_tui.demo.serve`), the counting proxy in front of
it adding `--latency-ms` to every call, then (see harness/fleet.py) the headless
export, the app's view in a pty with keys timed meanwhile, and the CLI loop.
`--inspector` asks the same question of Amazon Inspector too (harness/fleet_inspector.py),
on a registry it scans whole (`--enhanced-scanning=all`; the fan-out then reads it too).
Writes benchmarks/results/fleet.json and prints a table; exit 0 when it ran
(targets may still be missed), 2 when it could not.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

from harness.common import RESULTS, BenchmarkError, log
from harness.endpoint import start_endpoint
from harness.fleet import fleet_benchmark
from harness.fleet_inspector import inspector_benchmark
from harness.launch import app_code, compile_app
from harness.proxy import start_proxy
from harness.services import Service


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repositories", type=int, default=2000)
    parser.add_argument("--big-images", type=int, default=100_000)
    parser.add_argument("--newest", type=int, default=5, choices=(1, 3, 5, 10))
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every call")
    parser.add_argument("--concurrency", type=int, default=16, help="the export's calls in flight")
    parser.add_argument("--cli-sample", type=int, default=100, help="images the CLI loop times")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--skip-app", action="store_true")
    parser.add_argument(
        "--inspector",
        action="store_true",
        help="also the Amazon Inspector path (the same question; every repository enhanced)",
    )
    parser.add_argument(
        "--only-inspector", action="store_true", help="the Amazon Inspector path only"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "fleet.json")
    return parser.parse_args(argv)


def table(report: dict[str, object]) -> str:
    lines = ["fleet triage benchmark", ""]
    if "targets" in report:
        lines += _part(report, ("headless", "app", "cli"))
    inspector = report.get("inspector")
    if isinstance(inspector, dict):
        lines += ["", "  Amazon Inspector, the same question:"]
        lines += _part(inspector, ("headless", "fan_out", "app"))
        lines.append(
            f"  the same answer: {inspector['same_answer']} (images in both answers:"
            f" {inspector['images_in_both_answers']:,}, in one only:"
            f" {inspector['images_in_one_answer_only']:,}: see the coverage lines' scanning counts)"
        )
    return "\n".join(lines)


def _part(report: dict[str, Any], parts: tuple[str, ...]) -> list[str]:
    lines = []
    for name, target in report["targets"].items():
        mark = "ok " if target["met"] else "MISS"
        lines.append(f"  {mark} {name:<26} {target['value']!s:>10}  (target {target['target']})")
    lines.append("")
    for part in parts:
        lines.append(f"  {part}: {json.dumps(report[part])[:700]}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sys.setswitchinterval(0.0005)
    run_dir = args.output.parent
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    services: list[Service] = []
    try:
        inspector = args.inspector or args.only_inspector
        endpoint = start_endpoint(
            args.repositories, args.big_images, run_dir, enhanced_all=inspector
        )
        services.append(endpoint)
        proxy = start_proxy(endpoint.url, run_dir, args.latency_ms)
        services.append(proxy)
        log(f"endpoint {endpoint.url}, {args.latency_ms:g} ms added by {proxy.url}")
        compile_app()
        report = {} if args.only_inspector else fleet_benchmark(args, proxy.url, proxy, run_dir)
        if inspector:
            report["inspector"] = inspector_benchmark(args, proxy.url, proxy, run_dir)
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 2
    finally:
        for service in reversed(services):
            service.stop()
    report.update(
        command="python benchmarks/fleet.py " + " ".join(sys.argv[1:]),
        when=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        dataset={
            "repositories": args.repositories,
            "big_images": args.big_images,
            "newest": args.newest,
            "latency_ms": args.latency_ms,
        },
        app_code=app_code(),
        run_seconds=round(time.monotonic() - started, 1),
    )
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
