"""The reader child process, against the session's endpoint over HTTP."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import UserFacingError
from ecr_tui.core.models import Severity, SeverityCounts, severity_row
from ecr_tui.core.remote_reader import ReaderStopped, RemoteReader
from tests.conftest import BIG_REPOSITORY_IMAGES


@pytest.fixture()
def reader(ecr_settings: ConnectionSettings) -> Iterator[RemoteReader]:
    remote = RemoteReader()
    remote.connect(ecr_settings)
    yield remote
    remote.close()


def test_pages_match_the_in_process_service(
    reader: RemoteReader, ecr_settings: ConnectionSettings
) -> None:
    local = EcrService(ecr_settings)
    assert list(reader.repository_pages()) == list(local.repository_pages())
    remote_pages = list(reader.image_pages("platform/build-cache"))
    assert [len(page) for page in remote_pages] == [1000, 1000, BIG_REPOSITORY_IMAGES - 2000]
    assert remote_pages == list(local.image_pages("platform/build-cache"))
    assert reader.call_count("DescribeImages", "platform/build-cache") == 3
    image = next(i for page in remote_pages for i in page if i.severity_counts.total)
    assert reader.scan_report(image) == local.scan_report(image)


def test_severity_counts_keep_untriaged_apart_and_worst_first() -> None:
    counts = SeverityCounts.from_mapping({"LOW": 2, "UNTRIAGED": 1, "CRITICAL": 3, "UNDEFINED": 4})
    assert counts.counts == (
        (Severity.CRITICAL, 3),
        (Severity.LOW, 2),
        (Severity.UNTRIAGED, 1),
        (Severity.UNDEFINED, 4),
    )
    assert SeverityCounts.from_mapping(None) == SeverityCounts()


def test_severity_rows_read_ecr_spelling_and_others() -> None:
    # Worst first: critical, high, medium, low, informational, untriaged, undefined.
    assert severity_row({"CRITICAL": 1, "HIGH": 2, "UNTRIAGED": 3, "UNDEFINED": 1}) == (
        1,
        2,
        0,
        0,
        0,
        3,
        1,
    )
    assert severity_row({" medium ": 5, "Informational": 1, "NEW-LEVEL": 2}) == (
        0,
        0,
        5,
        0,
        1,
        0,
        2,
    )
    assert severity_row(None) == (0,) * 7


def test_prefetched_answer_is_taken_once(reader: RemoteReader) -> None:
    reader.prefetch("repositories")
    first = list(reader.repository_pages())
    assert reader.call_count("DescribeRepositories") == 1
    assert list(reader.repository_pages()) == first  # asked again, not the prefetch
    assert reader.call_count("DescribeRepositories") == 2


def test_failures_arrive_explained(reader: RemoteReader) -> None:
    with pytest.raises(UserFacingError) as raised:
        list(reader.image_pages("no/such-repository"))
    assert raised.value.problem.title == "Repository not found"
    assert "Traceback" not in str(raised.value)


def test_unreachable_endpoint_is_explained() -> None:
    remote = RemoteReader()
    try:
        settings = ConnectionSettings(
            endpoint_url="http://127.0.0.1:9", region="us-east-1", demo=True
        )
        remote.connect(settings)
        with pytest.raises(UserFacingError) as raised:
            list(remote.repository_pages())
        assert raised.value.problem.title == "Endpoint unreachable"
        assert "http://127.0.0.1:9" in raised.value.problem.detail
    finally:
        remote.close()


def test_cancelling_stops_the_listing(reader: RemoteReader) -> None:
    pages = reader.image_pages("platform/build-cache")
    assert len(next(pages)) == 1000
    pages.close()  # what a cancelled worker's loop does
    # The child was told to stop: later pages of that request are never read.
    assert list(reader.repository_pages())


def test_a_dead_child_is_reported_then_replaced(reader: RemoteReader) -> None:
    process: Any = reader._process
    assert process is not None
    pages = reader.image_pages("platform/build-cache")
    next(pages)
    os.kill(process.pid, signal.SIGKILL)
    with pytest.raises(ReaderStopped):
        for _ in pages:
            pass
    # The next question starts a new child, connected as before.
    assert sum(len(page) for page in reader.image_pages("web/storefront")) > 0
    assert reader._process is not process


def test_the_child_exits_with_its_parent_pipe(ecr_settings: ConnectionSettings) -> None:
    remote = RemoteReader()
    remote.connect(ecr_settings)
    process: Any = remote._process
    remote.close()
    assert process.wait(timeout=5) == 0
