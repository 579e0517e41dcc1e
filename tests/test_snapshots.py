"""Snapshot tests of the main screens at fixed terminal sizes.

The registry, its timestamps and the app's clock are all pinned, and the
endpoint listens on a fixed port, so every run draws the same characters.
After a deliberate UI change: `pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.data.dataset import Dataset
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.ui import format as ui_format
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane
from ecr_tui.ui.status_bar import StatusBar
from tests.conftest import FIXED_NOW

# The port shows in the status line; an unusual one keeps clashes unlikely.
SNAPSHOT_PORT = 47613
SNAPSHOT_ACCOUNT = "210987654321"


@pytest.fixture(scope="module")
def snapshot_settings(dataset: Dataset) -> Iterator[ConnectionSettings]:
    """A seeded endpoint on a fixed port, for this module only."""
    server = LocalEcr(port=SNAPSHOT_PORT, account_id=SNAPSHOT_ACCOUNT)
    server.start()
    server.seed(dataset)
    yield ConnectionSettings(
        endpoint_url=server.url, region="us-east-1", demo=True, sts_endpoint_url=server.url
    )
    server.stop()


@pytest.fixture(autouse=True)
def pinned_clock_and_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ages ('3d ago') are measured from the dataset's own 'now'; Docker is absent; the
    terminal has millions of colours (under TERM=xterm the app takes the ANSI theme)."""
    monkeypatch.setattr(ui_format, "utc_now", lambda: FIXED_NOW)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")


async def loaded(pilot: Any) -> None:
    """Wait until repositories, the first repository's images and the account are in."""
    app = pilot.app
    repositories = app.query_one(RepositoriesPane)
    images = app.query_one(ImagesPane)
    await wait_until(pilot, lambda: not repositories.is_loading and app.account is not None)
    # How the repositories on screen are scanned (the registry's rules, read after them).
    await wait_until(pilot, lambda: bool(repositories.scanning or repositories.scanning_problem))
    await wait_until(pilot, lambda: images.repository is not None and not images.is_loading)
    await wait_until(pilot, lambda: not images.reading_platforms)  # what the indexes list
    await wait_until(pilot, lambda: app.query_one(StatusBar).checked)


def drill_to_findings(*keys: str) -> Callable[[Any], Any]:
    """Open payments/api, its newest image's findings, then press `keys`."""

    async def run_before(pilot: Any) -> None:
        await loaded(pilot)
        images = pilot.app.query_one(ImagesPane)
        findings = pilot.app.query_one(FindingsPane)
        await pilot.press("slash", *"payments/api", "enter", "enter")
        await wait_until(pilot, lambda: images.repository.name == "payments/api")
        await wait_until(pilot, lambda: not images.is_loading)
        await pilot.press("enter")
        await wait_until(pilot, lambda: findings.report is not None)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


def test_main_screen_80x24(snap_compare: Any, snapshot_settings: ConnectionSettings) -> None:
    assert snap_compare(EcrApp(snapshot_settings), terminal_size=(80, 24), run_before=loaded)


def test_findings_120x36(snap_compare: Any, snapshot_settings: ConnectionSettings) -> None:
    assert snap_compare(
        EcrApp(snapshot_settings), terminal_size=(120, 36), run_before=drill_to_findings("j")
    )


def test_finding_details_80x24(snap_compare: Any, snapshot_settings: ConnectionSettings) -> None:
    assert snap_compare(
        EcrApp(snapshot_settings), terminal_size=(80, 24), run_before=drill_to_findings("enter")
    )


def test_help_80x24(snap_compare: Any, snapshot_settings: ConnectionSettings) -> None:
    async def run_before(pilot: Any) -> None:
        await loaded(pilot)
        await pilot.press("question_mark")

    assert snap_compare(EcrApp(snapshot_settings), terminal_size=(80, 24), run_before=run_before)
