"""Drive the real app against the local ECR endpoint and check what it shows."""

from __future__ import annotations

from typing import Any

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.models import ScanState, Severity
from ecr_tui.demo.data.dataset import Dataset
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane
from ecr_tui.ui.screens import FindingScreen, HelpScreen
from ecr_tui.ui.status_bar import StatusBar
from tests.conftest import BIG_REPOSITORY_IMAGES


def panes(app: EcrApp) -> tuple[RepositoriesPane, ImagesPane, FindingsPane]:
    """The three panes."""
    return app.query_one(RepositoriesPane), app.query_one(ImagesPane), app.query_one(FindingsPane)


async def repositories_loaded(app: EcrApp, pilot: Any) -> RepositoriesPane:
    """The repositories pane, once every repository is in it."""
    repositories = app.query_one(RepositoriesPane)
    await wait_until(pilot, lambda: not repositories.is_loading and repositories.table.total_rows)
    return repositories


async def open_repository(app: EcrApp, pilot: Any, name: str) -> ImagesPane:
    """Filter the repositories down to `name`, drill in and wait for every image."""
    repositories = await repositories_loaded(app, pilot)
    await pilot.press("slash", *name, "enter")
    assert repositories.table.current_row.name == name
    await pilot.press("enter")
    return await images_loaded(app, pilot, name)


async def images_loaded(app: EcrApp, pilot: Any, name: str, timeout: float = 15.0) -> ImagesPane:
    """The images pane, once it holds every image of repository `name`."""
    images = app.query_one(ImagesPane)
    await wait_until(
        pilot,
        lambda: (
            images.repository is not None
            and images.repository.name == name
            and not images.is_loading
        ),
        timeout,
    )
    return images


def status_text(app: EcrApp) -> str:
    """The status line as drawn, without Docker's state at its right end."""
    line = str(app.query_one(StatusBar).render())
    return line.split("  docker: ")[0].rstrip()


async def test_browses_repositories_images_and_findings(
    ecr_settings: ConnectionSettings, dataset: Dataset, ecr_client: Any
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, findings = panes(app)
        await wait_until(pilot, lambda: not repositories.is_loading and app.account is not None)
        shown = [repo.name for repo in repositories.table.rows]
        assert shown == sorted(spec.name for spec in dataset.repositories)
        assert "account 123456789012 · us-east-1" in status_text(app)

        await open_repository(app, pilot, "platform/nginx-base")
        api_images = ecr_client.describe_images(repositoryName="platform/nginx-base")
        expected = {d["imageDigest"] for d in api_images["imageDetails"]}
        assert {image.digest for image in images.table.rows} == expected
        pushed = [image.pushed_at for image in images.table.rows]
        assert pushed == sorted(pushed, reverse=True), "newest first by default"
        assert app.focused is images.table

        # Drill into the newest image that has findings.
        target = next(i for i in images.table.rows if i.severity_counts.total)
        images.table.move_to(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: findings.report is not None)
        report = findings.report
        assert report is not None and report.digest == target.digest
        assert report.state is ScanState.COMPLETE
        assert len(findings.table.rows) == target.severity_counts.total
        severities = [f.severity for f in findings.table.rows]
        assert severities == sorted(severities, reverse=True), "worst first"
        summary = findings.summary.text.plain
        worst = report.findings[0].severity
        assert f"{report.summary.get(worst)} {worst.name.lower()}" in summary

        await pilot.press("enter")
        assert isinstance(app.screen, FindingScreen)
        assert app.screen.finding == findings.table.rows[0]
        await pilot.press("escape")
        assert not isinstance(app.screen, FindingScreen)


async def test_enhanced_findings_carry_fix_versions_and_remediation(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "payments/api")
        _, _, findings = panes(app)
        target = next(i for i in images.table.rows if i.scan_state is ScanState.COMPLETE)
        images.table.move_to(target)
        await pilot.press("enter")
        # Its own report: the one of the image the cursor started on may come first.
        await wait_until(
            pilot,
            lambda: findings.report is not None and findings.report.digest == target.digest,
        )
        rows = findings.table.rows
        assert rows and all(f.source == "enhanced" for f in rows)
        assert any(f.fixed_in for f in rows)
        assert all(f.remediation for f in rows)
        rated = [f for f in rows if f.severity >= Severity.LOW]
        assert rated and all(f.score is not None and f.cvss_vector for f in rated)


async def test_scan_states_are_told_apart(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "platform/helm-charts")
        _, _, findings = panes(app)
        states = {image.scan_state for image in images.table.rows}
        assert ScanState.FAILED in states or ScanState.NOT_SCANNED in states
        for state, words in (
            (ScanState.FAILED, "Scan failed"),
            (ScanState.NOT_SCANNED, "never been scanned"),
        ):
            image = next((i for i in images.table.rows if i.scan_state is state), None)
            if image is None:
                continue
            images.table.move_to(image)
            await pilot.press("enter")
            await wait_until(pilot, lambda image=image: findings.image == image)
            await wait_until(pilot, lambda: not findings.is_loading)
            assert words in findings.table.empty_text
            await pilot.press("escape")


async def test_big_repository_pages_and_filter(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, _ = panes(app)
        await wait_until(pilot, lambda: images.repository is not None and not images.is_loading)
        assert app.service is not None
        await open_repository(app, pilot, "platform/build-cache")
        assert images.table.total_rows == BIG_REPOSITORY_IMAGES
        # Pages arrive in any order; the cursor, never moved, is on the newest image.
        newest = max(images.table.rows, key=lambda image: image.pushed_seconds or 0.0)
        assert images.table.current_row is images.table.rows[0] == newest
        # 1,000 a page: three calls, however the cursor travelled to get there.
        assert app.reader.call_count("DescribeImages", "platform/build-cache") == 3

        tag = next(image.tags[0] for image in images.table.rows if image.tags)
        await pilot.press("slash", *tag)
        assert images.table.rows and all(tag in " ".join(i.tags) for i in images.table.rows)
        assert "filter:" in str(images.border_subtitle)
        await pilot.press("escape")
        assert len(images.table.rows) == BIG_REPOSITORY_IMAGES

        await pilot.press("s")  # by size, biggest first
        sizes = [image.size_bytes or 0 for image in images.table.rows]
        assert sizes == sorted(sizes, reverse=True)
        await pilot.press("o")  # smallest first
        sizes = [image.size_bytes or 0 for image in images.table.rows]
        assert sizes == sorted(sizes)


async def test_minimum_severity_hides_lesser_findings(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "web/storefront")
        _, _, findings = panes(app)
        target = max(images.table.rows, key=lambda i: i.severity_counts.total)
        images.table.move_to(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: findings.report is not None)
        everything = len(findings.table.rows)
        await pilot.press("m", "m", "m")  # low, medium, high
        assert findings.min_severity is Severity.HIGH
        rated = [f for f in findings.table.rows if f.severity.rated]
        assert rated and all(f.severity >= Severity.HIGH for f in rated)
        assert len(findings.table.rows) < everything
        # Unrated (untriaged) findings are not known to be below high: they stay.
        assert findings.report is not None
        unrated = [f for f in findings.report.findings if not f.severity.rated]
        assert unrated and all(f in findings.table.rows for f in unrated)


async def test_moving_fast_only_loads_where_the_cursor_rests(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, _ = panes(app)
        await wait_until(pilot, lambda: not repositories.is_loading and app.service is not None)
        await wait_until(pilot, lambda: images.repository is not None and not images.is_loading)
        assert app.service is not None
        before = app.reader.call_count("DescribeImages")
        # Key repeat is faster than Pilot's presses: move the cursor as a held key does.
        for _ in range(12):
            repositories.table.action_cursor_down()
            await pilot.pause(0.02)
        resting = repositories.table.current_row
        await wait_until(
            pilot, lambda: images.repository == resting and not images.is_loading, timeout=10
        )
        assert all(image.repository == resting.name for image in images.table.rows)
        # Not one call per row passed over: only where the cursor paused (CI is slow).
        assert app.reader.call_count("DescribeImages") - before <= 2


async def test_help_lists_every_key(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(f"{key} {what}" for key, what in app.screen.key_rows())
        for description in ("Filter", "Sort", "Min severity", "Refresh", "Zoom", "Quit"):
            assert description in text
        assert "/ Filter" in text and "? Help" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_unreachable_endpoint_is_explained_not_traced() -> None:
    settings = ConnectionSettings(endpoint_url="http://127.0.0.1:9", region="us-east-1", demo=True)
    app = EcrApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        repositories, _, _ = panes(app)
        await wait_until(pilot, lambda: bool(app._notifications), timeout=20)
        messages = [n.message for n in app._notifications]
        titles = [n.title for n in app._notifications]
        assert "Endpoint unreachable" in titles
        assert any("http://127.0.0.1:9" in message for message in messages)
        assert not any("Traceback" in message for message in messages)
        await wait_until(pilot, lambda: "Press r" in repositories.table.empty_text)
