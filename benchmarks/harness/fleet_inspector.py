"""Fleet triage from Amazon Inspector, on the fan-out benchmark's own question.

The question: every finding of the newest N images of each repository, on a
registry Inspector scans whole (the endpoint is started with
`--enhanced-scanning=all`: one registry rule `*`). Inspector has no push times,
so ECR lists each repository and the app chooses its newest N (DescribeImages,
as the fan-out does), then asks Inspector about those images, 10 at a time
(ListCoverage by resourceId, ListFindings by ecrImageHash; see
ecr_tui/core/fleet/inspector_images.py). Measured through the counting proxy,
every service sent to it by botocore's AWS_ENDPOINT_URL_<SERVICE> variables and
an AWS profile (AWS_CONFIG_FILE, AWS_PROFILE) for the region and keys: no
--endpoint-url, as on AWS, so Inspector "speaks for" the registry:

1. headless, in a child process (benchmarks/fleet_inspector_child.py): wall
   time, calls by operation against the minimum, peak RSS;
2. the fan-out's answer to the same question on the same data, for the check
   that both sources give the same findings (the digest of every finding);
3. the app in a pty (`app_fanout`): keys timed during the scan, first row,
   peak RSS; its coverage line must name Amazon Inspector.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .common import REGION, ROOT, BenchmarkError, log
from .fleet import app_fanout
from .launch import app_environment
from .proxy import fetch_calls
from .resources import RssSampler

CHILD = ROOT / "benchmarks" / "fleet_inspector_child.py"
SOURCE = "Amazon Inspector"
BATCH = 10  # images per Inspector query (its filters take at most 10 values)


def _ask(args: list[str], env: dict[str, str], proxy: Any) -> tuple[dict[str, Any], list[Any]]:
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
    answer["peak_rss_mb"] = round(sampler.peak / 2**20, 1)
    return answer, calls


def inspector_calls(calls: list[dict[str, Any]], answer: dict[str, Any]) -> dict[str, Any]:
    """Calls by operation; Inspector's against their minimum.

    The minimum for the images the app chose: ListCoverage, one call per 10 images
    in scope (plus the repositories' coverage pages, 200 a page); ListFindings, one
    per 10 scanned images or per 100 findings, whichever is more (its filter takes
    10 hashes, its page 100 findings). The listing (DescribeRepositories,
    DescribeImages) is the fan-out's own, and counted apart.
    """
    by_op = Counter(c["op"] for c in calls)
    listings = [c for c in calls if c["op"] == "inspector2:ListFindings"]
    coverage_queries = by_op.get("inspector2:ListCoverage", 0)
    repositories = by_op.get("DescribeImages", 0) - sum(
        1 for c in calls if c["op"] == "DescribeImages" and c["token_in"]
    )
    images, scanned = answer["images_in_scope"], answer["images_scanned"]
    findings_minimum = max(math.ceil(scanned / BATCH), math.ceil(answer["findings"] / 100))
    coverage_minimum = math.ceil(images / BATCH) + math.ceil(repositories / 200)
    inspector_total = sum(n for op, n in by_op.items() if op.startswith("inspector2:"))
    return {
        "total": len(calls),
        "by_operation": dict(by_op),
        "inspector_calls": inspector_total,
        "inspector_minimum": findings_minimum + coverage_minimum,
        "list_findings_queries": sum(1 for c in listings if not c["token_in"]),
        "list_findings_pages_past_the_first": sum(1 for c in listings if c["token_in"]),
        "list_findings_minimum": findings_minimum,
        "list_coverage_calls": coverage_queries,
        "list_coverage_minimum": coverage_minimum,
        "throttled_or_failed": sum(1 for c in calls if c["status"] != 200),
    }


def _compared(inspector: dict[str, str], fan_out: dict[str, str]) -> dict[str, Any]:
    """The two answers image by image (each image's findings digest)."""
    both = inspector.keys() & fan_out.keys()
    return {
        "same_answer_where_both_read": all(inspector[k] == fan_out[k] for k in both),
        "images_in_both_answers": len(both),
        "images_in_one_answer_only": len(inspector.keys() ^ fan_out.keys()),
        "some_of_those": sorted(inspector.keys() ^ fan_out.keys())[:5],
    }


def _app_calls(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """The app's calls (its start, browsing and the scan), by operation, and how long
    Inspector took to answer them (the endpoint's time, the proxy's latency aside)."""
    by_op = Counter(c["op"] for c in calls)
    answering = sorted(
        (c["end"] - c["start"]) * 1000 for c in calls if c["op"].startswith("inspector2:")
    )
    return {
        "total": len(calls),
        "by_operation": dict(by_op),
        "inspector_call_ms_p50": round(answering[len(answering) // 2], 1) if answering else None,
        "inspector_call_ms_max": round(answering[-1], 1) if answering else None,
    }


def inspector_benchmark(
    args: argparse.Namespace, endpoint: str, proxy: Any, run_dir: Path
) -> dict[str, Any]:
    """The Inspector path on the fan-out's question: headless, then in the app."""
    config = run_dir / "fleet-inspector-aws-config"
    config.write_text(
        f"[profile benchmark]\nregion = {REGION}\n"
        "aws_access_key_id = benchmark\naws_secret_access_key = benchmark\n"
    )
    env = app_environment()
    env.update(AWS_CONFIG_FILE=str(config), AWS_PROFILE="benchmark", PYTHONPATH=str(ROOT))
    # Each service's endpoint by botocore's own variables, not the profile's endpoint_url:
    # the app shows (and so trusts) a profile's ECR endpoint as a registry of its own,
    # which AWS's Inspector does not speak for; these it leaves to botocore, as on AWS.
    for service in ("ECR", "INSPECTOR2", "STS"):
        env[f"AWS_ENDPOINT_URL_{service}"] = endpoint
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(key, None)
    question = [str(args.newest), str(args.concurrency)]
    log(f"fleet: the Inspector path, newest {args.newest} of every repository (headless)")
    headless, calls = _ask(["inspector", *question], env, proxy)
    if not headless["answered_by"].startswith(f"source: {SOURCE}"):
        raise BenchmarkError(f"Amazon Inspector did not answer: {headless['answered_by']}")
    headless["calls"] = inspector_calls(calls, headless)
    log(f"fleet: Inspector headless {headless['wall_s']} s, {len(calls)} calls")
    log("fleet: the fan-out's answer to the same question (for the same-answer check)")
    fan_out, fan_out_calls = _ask(["scan-findings", *question], env, proxy)
    fan_out["calls_by_operation"] = dict(Counter(c["op"] for c in fan_out_calls))
    app = None
    if not args.skip_app:
        since = time.monotonic()
        app = app_fanout(endpoint, args.newest, args.repositories, run_dir, env=env, source=SOURCE)
        app["calls"] = _app_calls([c for c in fetch_calls(proxy) if c["start"] >= since])
    report: dict[str, Any] = {
        "question": f"every finding of the newest {args.newest} images of each repository",
        "registry": "every repository scanned by Amazon Inspector (--enhanced-scanning=all)",
        "headless": headless,
        "fan_out": fan_out,
        "app": app,
        "same_answer": headless["answer_sha256"] == fan_out["answer_sha256"],
        **_compared(headless.pop("by_image"), fan_out.pop("by_image")),
        "speedup_vs_fan_out": round(fan_out["wall_s"] / max(headless["wall_s"], 0.01), 2),
    }
    targets: dict[str, Any] = {
        # Every image both sources read has the same findings; an image whose demo scan
        # finished between the two reads is counted apart (`images_in_one_answer_only`).
        "same_answer_where_both_read": {
            "value": report["same_answer_where_both_read"],
            "target": True,
        },
        "inspector_calls_vs_minimum": {
            "value": round(
                headless["calls"]["inspector_calls"]
                / max(headless["calls"]["inspector_minimum"], 1),
                3,
            ),
            "target": 1.0,
        },
        "peak_rss_mb": {"value": headless["peak_rss_mb"], "target": 500.0},
    }
    if app:
        targets["key_p99_ms"] = {"value": app["key_p99_ms"], "target": 50.0}
        targets["app_peak_rss_mb"] = {"value": app["peak_rss_mb"], "target": 500.0}
    for name, target in targets.items():
        value = target["value"]
        if name == "same_answer_where_both_read":
            target["met"] = value is True
        else:
            target["met"] = value is not None and value <= target["target"]
    report["targets"] = targets
    return report
