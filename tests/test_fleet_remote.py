"""The view's fan-out run in the reader child: the same answer as in-process, cancel, faults.

Each expectation comes from `FleetScan` run in this process over the same demo
endpoint (itself checked against the API image by image in test_fleet); the
calls the child made are counted by the child's own service.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.fanout import FleetResult, FleetScan
from ecr_tui.core.fleet.groups import VulnerabilityGroup
from ecr_tui.core.fleet.remote_scan import RemoteFleetScan
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.fleet.source import SourcedScan
from ecr_tui.core.models import Finding
from ecr_tui.core.remote_reader import RemoteReader
from tests.fault_proxy import FaultProxy
from tests.test_fleet import NOW, TAGGED_2, proxy, through

__all__ = ["proxy"]  # the fixture, shared with test_fleet


@pytest.fixture()
def reader(ecr_settings: ConnectionSettings) -> Iterator[RemoteReader]:
    remote = RemoteReader()
    remote.connect(ecr_settings)
    yield remote
    remote.close()


def remote_scan(reader: RemoteReader, scope: Scope, concurrency: int = 8) -> RemoteFleetScan:
    return RemoteFleetScan(reader, scope, concurrency=concurrency, now=NOW)


def everything(result: FleetResult) -> list[tuple[object, ...]]:
    """Every (image, finding) kept, in a stable order.

    A finding as `FleetFindings` interns it: equal findings of two images are one
    object, the first to arrive (so its other fields depend on the order of arrival).
    """
    return [
        (a.image.repository, a.image.digest, a.platform, *_interned_as(a.finding))
        for a in result.findings.all_findings()
    ]


def _interned_as(finding: Finding) -> tuple[object, ...]:
    return (finding.name, finding.severity, finding.score, finding.fix, finding.packages)


def without_description(result: FleetResult) -> list[VulnerabilityGroup]:
    return [replace(g, description="") for g in result.findings.by_vulnerability()]


def repositories(result: FleetResult) -> list[tuple[object, ...]]:
    return [
        (g.repository, g.images, g.counts, g.fixable, g.worst_fixable and g.worst_fixable.severity)
        for g in result.findings.by_repository()
    ]


def run_in_thread(scan: RemoteFleetScan) -> threading.Thread:
    worker = threading.Thread(target=scan.run, daemon=True)
    worker.start()
    return worker


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# The second: tagged indexes, whose platform images are read with their platform.
PLATFORMS = Scope(repository_pattern="platform/*", tagged_only=True, newest_per_repository=3)


@pytest.mark.parametrize("scope", [TAGGED_2, PLATFORMS])
def test_the_child_finds_what_the_in_process_fan_out_finds(
    reader: RemoteReader, ecr_settings: ConnectionSettings, scope: Scope
) -> None:
    # The child chooses the source as in-process (the demo is enhanced: Amazon Inspector
    # for the repositories it scans, ECR listing and choosing the images; the fan-out else).
    service = EcrService(ecr_settings)
    expected = SourcedScan(service, scope, now=NOW).run()
    scan = remote_scan(reader, scope)
    found = scan.run()
    assert everything(found) == everything(expected)
    # A group's description is its first report's (in order of arrival): not compared.
    assert without_description(found) == without_description(expected)
    # Likewise its worst fixable finding, among equally bad ones: its severity is compared.
    assert repositories(found) == repositories(expected)
    assert found.findings.by_package() == expected.findings.by_package()
    assert found.coverage.line() == expected.coverage.line()
    assert found.coverage.complete and not found.problems
    progress = scan.progress()
    assert progress.finished and not progress.cancelled
    assert progress.reports_done == progress.reports
    # The same calls as in-process: the child's service counted them.
    for operation in ("DescribeImageScanFindings", "ListFindings", "ListCoverage"):
        assert reader.call_count(operation) == service.call_count(operation), operation


def test_a_cancel_stops_the_child_at_once(reader: RemoteReader) -> None:
    scan = remote_scan(reader, Scope(), concurrency=2)  # every image: long enough
    worker = run_in_thread(scan)
    wait_for(lambda: scan.progress().reports_done >= 5)
    scan.cancel()
    cancelled_at = time.monotonic()
    at_cancel = reader.call_count("DescribeImageScanFindings")
    worker.join(timeout=5)
    assert not worker.is_alive() and time.monotonic() - cancelled_at < 0.5
    progress = scan.progress()
    assert progress.cancelled and progress.finished
    assert not scan.result.coverage.complete
    assert "not read (cancelled)" in scan.result.coverage.line()
    # The child stopped too, within a few calls (those in flight, and those started
    # before it heard): not one more call a second later.
    time.sleep(0.5)
    calls = reader.call_count("DescribeImageScanFindings")
    assert calls - at_cancel <= 10
    time.sleep(1.0)
    assert reader.call_count("DescribeImageScanFindings") == calls


def test_a_dead_child_is_a_problem_not_a_hang(reader: RemoteReader) -> None:
    scan = remote_scan(reader, Scope(), concurrency=2)
    worker = run_in_thread(scan)
    wait_for(lambda: scan.progress().reports_done >= 3)
    process: Any = reader._process
    os.kill(process.pid, signal.SIGKILL)
    worker.join(timeout=10)
    assert not worker.is_alive()
    progress = scan.progress()
    assert progress.finished and progress.failed and "stopped after" in progress.line()
    assert scan.result.problems and scan.result.problems[0].startswith("ECR reader stopped")
    assert "press r to retry" in scan.result.problems[0]
    assert not scan.result.coverage.complete
    assert " not read" in scan.result.coverage.line() and "yet" not in scan.result.coverage.line()
    # Read again: a new child, connected as before, reads to the end.
    again = remote_scan(reader, TAGGED_2)
    assert again.run().coverage.complete and not again.result.problems


def test_throttling_in_the_child_slows_and_loses_nothing(
    ecr_settings: ConnectionSettings, proxy: FaultProxy
) -> None:
    calm = FleetScan(EcrService(ecr_settings), TAGGED_2, now=NOW).run()
    proxy.inject("throttle", "DescribeImageScanFindings", skip=5, times=20)
    throttled_reader = RemoteReader()
    throttled_reader.connect(through(proxy))
    try:
        scan = remote_scan(throttled_reader, TAGGED_2)
        throttled = scan.run()
    finally:
        throttled_reader.close()
    progress = scan.progress()
    assert progress.throttled > 0 and progress.finished
    assert "throttled" in progress.line()
    assert throttled.coverage.complete
    assert everything(throttled) == everything(calm)
