"""Fleet triage from Amazon Inspector against the fan-out, for the same question.

Inspector cannot tell the newest N images of a repository (its coverage has no
push times), so the question here is its own: every finding of every image in
the repositories Inspector scans (the registry's enhanced-scanning rules name
them). Asked twice through the counting proxy, each in a child process
(benchmarks/fleet_inspector_child.py) whose AWS profile sends every service to
the proxy: by Inspector (ListCoverage, ListFindingAggregations, ListFindings),
then by the fan-out of DescribeImageScanFindings over the same repositories.
Wall time, calls by operation, peak RSS, and whether the answers agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .common import REGION, ROOT, BenchmarkError, log
from .launch import app_environment
from .proxy import fetch_calls
from .resources import RssSampler

CHILD = ROOT / "benchmarks" / "fleet_inspector_child.py"


def _ask(args: list[str], env: dict[str, str], proxy: Any) -> dict[str, Any]:
    since = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    sampler = RssSampler(process.pid, interval=0.05)
    out, err = process.communicate(timeout=3600)
    sampler.stop()
    if process.returncode != 0:
        raise BenchmarkError(f"{args[0]} failed: {err.decode()[-2000:]}")
    answer: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    calls = [c for c in fetch_calls(proxy) if c["start"] >= since]
    answer["calls_by_operation"] = dict(Counter(c["op"] for c in calls))
    answer["calls_through_proxy"] = len(calls)
    answer["peak_rss_mb"] = round(sampler.peak / 2**20, 1)
    return answer


def inspector_benchmark(endpoint: str, proxy: Any, run_dir: Path) -> dict[str, Any]:
    """Inspector's answer and the fan-out's, for the repositories Inspector scans."""
    config = run_dir / "fleet-inspector-aws-config"
    config.write_text(
        f"[profile benchmark]\nregion = {REGION}\nendpoint_url = {endpoint}\n"
        "aws_access_key_id = benchmark\naws_secret_access_key = benchmark\n"
    )
    env = app_environment()
    env.update(AWS_CONFIG_FILE=str(config), AWS_PROFILE="benchmark", PYTHONPATH=str(ROOT))
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(key, None)
    log("fleet: the Inspector path (ListCoverage, ListFindingAggregations, ListFindings)")
    inspector = _ask(["inspector"], env, proxy)
    scanned = inspector.pop("scanned_repositories")
    if not scanned:
        raise BenchmarkError(f"Inspector scans no repository here: {inspector}")
    log(f"fleet: the fan-out over the {len(scanned)} repositories Inspector scans")
    fan_out = _ask(["scan-findings", *scanned], env, proxy)
    fan_out.pop("scanned_repositories")
    return {
        "question": "every finding of every image in the repositories Amazon Inspector scans",
        "repositories": len(scanned),
        "inspector": inspector,
        "fan_out": fan_out,
        "same_answer": inspector["answer_sha256"] == fan_out["answer_sha256"],
        "speedup": round(fan_out["wall_s"] / max(inspector["wall_s"], 0.01), 2),
    }
