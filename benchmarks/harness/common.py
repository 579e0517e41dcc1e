"""What every part of the benchmark shares: where things are, the dataset, the
terminal's size, the targets, the error that stops a run and the progress log."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ecr_tui.demo.data import workloads

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "benchmarks" / "results"
COLUMNS, LINES = 120, 36
BIG_REPOSITORY = workloads.BIG_REPOSITORY  # the dataset the endpoint seeds names it
PAGE_SIZE = 1000  # ECR's largest page
REGION = "us-east-1"
KEY_TIMEOUT = 2.0  # seconds a key press may take before it counts as unanswered

# The targets of the issue "Benchmarks: fast at ECR's real limits".
TARGETS = {
    "first_frame_s": 0.5,
    "first_repository_row_s": 1.0,
    "first_image_row_over_first_page_s": 0.1,
    "first_image_row_vs_cli": 0.5,
    "key_p99_ms": 50.0,
    "filter_ms": 100.0,
    "peak_rss_mb": 300.0,
    "api_calls_vs_minimum": 1.0,
}


class BenchmarkError(RuntimeError):
    """The run could not measure what it set out to (not a missed target)."""


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds the table alone."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
