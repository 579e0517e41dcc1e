"""Benchmark ecr-tui at ECR's real limits, measured against the AWS CLI.

    python benchmarks/run.py                 # the full run, about 1.5 minutes
    python benchmarks/run.py --skip-cli      # the app alone
    python benchmarks/run.py --py-spy out.txt  # also profile the app (raw collapsed stacks)

What it does, all on one local endpoint (`python -m ecr_tui.demo.serve`, 2,000
repositories, `platform/build-cache` with 100,000 images), started as its own
process as if AWS were already there:

1. A tiny counting HTTP proxy (a child process: this file with `--proxy`) sits in
   front of the endpoint. Every client goes through it, so API calls are counted
   from the outside, by `X-Amz-Target`, for the app and the CLI alike.
2. The real `ecr-tui` runs in a 120x36 pseudo-terminal; `pyte` reads its screen.
   Keys are sent as bytes, as a user's terminal sends them, and every time is
   taken when the bytes that change the screen arrive.
3. `aws ecr describe-repositories` and `aws ecr describe-images` run on the same
   endpoint for comparison (the CLI prints nothing before its last page).

It prints a table, writes `benchmarks/results/latest.json` (every number, the
targets and pass/fail) and the screens it waited on to `benchmarks/results/`.
The exit code is 0 even when targets are missed; 2 when the run itself failed.

This file is the command line; the harness itself is in `benchmarks/harness/`,
a module a concern (the endpoint, the proxy, the pty, the measurements, the report).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from harness.benchmark import benchmark
from harness.common import RESULTS, BenchmarkError, log
from harness.profiler import PHASES
from harness.proxy import run_proxy
from harness.report import render_table


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repositories", type=int, default=2000)
    parser.add_argument("--big-images", type=int, default=100_000)
    parser.add_argument("--filter", default="main-4f", help="typed into the images filter")
    parser.add_argument("--keys", type=int, default=100, help="key presses after loading")
    parser.add_argument(
        "--startup-runs", type=int, default=4, help="extra launches timed for start-up alone"
    )
    parser.add_argument("--key-gap", type=float, default=0.03, help="pause after each answer (s)")
    parser.add_argument("--load-timeout", type=float, default=150.0)
    parser.add_argument("--skip-cli", action="store_true", help="do not run the AWS CLI")
    parser.add_argument("--py-spy", metavar="FILE", help="profile the app with py-spy")
    parser.add_argument(
        "--py-spy-phase", choices=PHASES, default="all", help="what to profile (default: all)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--proxy", metavar="UPSTREAM", help=argparse.SUPPRESS)
    parser.add_argument("--proxy-latency-ms", type=float, default=0.0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when it ran (targets may still fail), 2 when it could not."""
    args = arguments(argv)
    if args.proxy:
        return run_proxy(args.proxy, args.proxy_latency_ms)
    # The pty reader thread stamps arrivals: let it take the GIL quickly from the emulator.
    sys.setswitchinterval(0.0005)
    # SIGTERM unwinds like Ctrl-C, so that every child is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        report = benchmark(args)
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 2
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(render_table(report))
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
