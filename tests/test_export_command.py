"""`ecr-tui export findings`, run as the real command against the demo endpoint.

The command runs in a child process, as a script or CI job would run it, and
its output file, stdout, stderr and exit status are checked.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from ecr_tui.demo.endpoint import LocalEcr
from tests.fault_proxy import FaultProxy
from tests.test_fleet_export import sarif_schema

CURL = "CVE-2023-38545"


def export(url: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`ecr-tui export findings --endpoint-url URL ARGS...`, with a local endpoint's keys."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    env.pop("AWS_PROFILE", None)
    command = [sys.executable, "-m", "ecr_tui.cli", "export", "findings"]
    if url:
        command += ["--endpoint-url", url, "--region", "us-east-1"]
    return subprocess.run(
        command + list(args), capture_output=True, text=True, env=env, timeout=timeout
    )


def test_csv_to_a_file_and_exit_1_when_something_is_found(
    local_ecr: LocalEcr, tmp_path: Path
) -> None:
    out = tmp_path / "curl.csv"
    done = export(
        local_ecr.url, "--cve", CURL, "--tagged", "--newest", "2", "--format", "csv", "-o", str(out)
    )
    assert done.returncode == 1, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and {r["vulnerability"] for r in rows} == {CURL}
    assert {r["severity"] for r in rows} == {"CRITICAL"}
    assert len({r["repository"] for r in rows}) >= 5
    assert done.stdout == ""
    assert (
        f"{len(rows):,} findings to {out}; registry 123456789012 in us-east-1; findings for "
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_fail_on_sets_the_exit_status(local_ecr: LocalEcr) -> None:
    base = ("--cve", CURL, "--repository", "payments/api", "--newest", "1", "--format", "json")
    critical = export(local_ecr.url, *base, "--fail-on", "critical")
    assert critical.returncode == 1
    document = json.loads(critical.stdout)
    assert document["findings"] and document["complete"] is True
    assert export(local_ecr.url, *base, "--fail-on", "none").returncode == 0
    nothing = export(
        local_ecr.url, "--cve", "CVE-1999-0001", "--newest", "1", "--format", "markdown"
    )
    assert nothing.returncode == 0, nothing.stderr
    assert "No findings in scope." in nothing.stdout


def test_sarif_from_the_command_is_valid(local_ecr: LocalEcr) -> None:
    done = export(
        local_ecr.url, "--repositories", "payments/*", "--newest", "1", "--min-severity", "high",
        "--format", "sarif",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["runs"][0]["results"]
    # Each result's artifact is the image's URI in the registry read (moto's account).
    registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com/payments/"
    assert all(
        x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(registry)
        for x in log["runs"][0]["results"]
    )


def test_bad_input_says_why_and_exits_2(local_ecr: LocalEcr) -> None:
    severity = export(local_ecr.url, "--min-severity", "severe", "--format", "csv")
    assert severity.returncode == 2 and "unknown severity 'severe'" in severity.stderr
    image = export(local_ecr.url, "--image", "latest", "--format", "csv")
    assert image.returncode == 2 and "--image needs --repository" in image.stderr
    missing = export(
        local_ecr.url, "--repository", "payments/api", "--image", "no-such-tag", "--format", "csv"
    )
    assert missing.returncode == 2 and "no image no-such-tag in payments/api" in missing.stderr
    assert missing.stdout == ""


def test_an_unreachable_endpoint_exits_3_with_a_next_step() -> None:
    done = export("http://127.0.0.1:9", "--format", "csv", timeout=120)
    assert done.returncode == 3
    assert "ecr-tui export:" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.fixture()
def proxy(local_ecr: LocalEcr) -> Iterator[FaultProxy]:
    running = FaultProxy(local_ecr.url).start()
    yield running
    running.stop()


def test_images_that_could_not_be_read_make_a_clean_answer_impossible(
    proxy: FaultProxy,
) -> None:
    proxy.inject("denied", "DescribeImageScanFindings", repository="payments/api")
    done = export(
        proxy.url, "--repository", "payments/api", "--newest", "3", "--cve", "CVE-1999-0001",
        "--format", "csv",
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "3 could not be read" in done.stderr
    assert "3 reports could not be read: " in done.stderr and "Access denied" in done.stderr


def test_the_demo_option_runs_its_own_endpoint() -> None:
    done = export(
        "", "--demo", "--repository", "payments/api", "--tagged", "--newest", "2",
        "--cve", CURL, "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert len({f["image_digest"] for f in findings}) == 2
