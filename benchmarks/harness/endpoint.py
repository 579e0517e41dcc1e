"""The ECR endpoint the benchmark runs against: `python -m ecr_tui.demo.serve`, seeded
with the dataset, in its own process as if AWS were already there.

`start_endpoint` is the one place that starts it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .common import ROOT, BenchmarkError, log
from .services import Service, start_service


def endpoint_command(
    repositories: int, big_images: int, *, enhanced_all: bool = False
) -> list[str]:
    """`python -m ecr_tui.demo.serve ...`, without a Docker registry when it can go without.

    `enhanced_all`: every repository scanned by Amazon Inspector (one registry rule `*`).
    """
    command = [sys.executable, "-m", "ecr_tui.demo.serve", "--port=0"]
    command += [f"--repositories={repositories}", f"--big-images={big_images}"]
    usage = subprocess.run(
        [*command[:3], "--help"], capture_output=True, cwd=ROOT, timeout=60
    ).stdout.decode(errors="replace")
    if "--no-registry" in usage:  # browsing needs no registry; it would only cost start-up
        command.append("--no-registry")
    if enhanced_all:
        if "--enhanced-scanning" not in usage:
            raise BenchmarkError("this app's demo endpoint has no --enhanced-scanning=all")
        command.append("--enhanced-scanning=all")
    return command


def start_endpoint(
    repositories: int, big_images: int, run_dir: Path, *, enhanced_all: bool = False
) -> Service:
    """The endpoint, seeded and serving; its stderr goes to `run_dir/endpoint.log`."""
    scanning = ", every repository scanned by Inspector" if enhanced_all else ""
    log(f"endpoint: {repositories} repositories, {big_images} images{scanning} (seeding)")
    return start_service(
        "the ECR endpoint",
        endpoint_command(repositories, big_images, enhanced_all=enhanced_all),
        run_dir / "endpoint.log",
        timeout=120,
    )
