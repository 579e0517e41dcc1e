"""The vulnerabilities view, driven as a user drives it, against the demo endpoint.

Its rows are checked against a fan-out of the core over the same scope (itself
checked against the API image by image in test_fleet), and what it sends is
counted: a findings filter refilters what was read, with no call.
"""

from __future__ import annotations

import csv
import io
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.fanout import FleetScan
from ecr_tui.core.fleet.remote_scan import RemoteFleetScan
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.models import Severity
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.fleet.affected import AffectedScreen
from ecr_tui.ui.fleet.view import VulnerabilitiesScreen
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.screens import HelpScreen
from tests.test_app import repositories_loaded

CURL = "CVE-2023-38545"
SCOPE = Scope(tagged_only=True, newest_per_repository=2)


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")


def make_app(settings: ConnectionSettings) -> EcrApp:
    app = EcrApp(settings)
    app.fleet_scope = SCOPE
    return app


async def open_view(app: EcrApp, pilot: Any) -> VulnerabilitiesScreen:
    await repositories_loaded(app, pilot)
    await pilot.press("V")
    await wait_until(pilot, lambda: isinstance(app.screen, VulnerabilitiesScreen))
    screen = app.screen
    assert isinstance(screen, VulnerabilitiesScreen)
    return screen


async def finished(screen: VulnerabilitiesScreen, pilot: Any) -> None:
    def done() -> bool:
        session = screen.session
        return (
            session is not None
            and session.progress.finished
            and screen._shown_versions.get(screen.grouping.name) == session.version
        )

    await wait_until(pilot, done, timeout=60)


async def test_the_view_groups_the_registry_three_ways(ecr_settings: ConnectionSettings) -> None:
    by_fan_out = FleetScan(EcrService(ecr_settings), SCOPE).run()
    expected = by_fan_out.findings
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        rows = screen.table.rows
        assert [(r.cve, r.images, r.repositories) for r in rows] == [
            (g.cve, g.images, g.repositories) for g in expected.by_vulnerability()
        ]
        curl = next(r for r in rows if r.cve == CURL)
        assert curl.repositories >= 5 and curl.exploit == "YES"
        # (Wrapped to its two lines, after the account and region.)
        scope_line = " ".join(str(screen.query_one("#fleet-scope").render()).split())
        assert "tagged images only" in scope_line and "newest 2 per repository" in scope_line
        coverage = " ".join(str(screen.query_one("#fleet-coverage").render()).split())
        # The registry is enhanced: Inspector answers for the images ECR chose in the
        # repositories it scans, the fan-out for the others; each image counted as the fan-out's.
        head = "Amazon Inspector + DescribeImageScanFindings: findings for "
        counted = by_fan_out.coverage
        assert coverage.startswith(f"{head}{counted.with_findings} of {counted.in_scope} images")
        assert "never scanned" in coverage

        await pilot.press("v")
        await finished(screen, pilot)
        assert screen.grouping.name == "repository"
        assert {r.repository for r in screen.table.rows} == {
            g.repository for g in expected.by_repository()
        }
        await pilot.press("v")
        await finished(screen, pilot)
        assert screen.grouping.name == "package"
        top = screen.table.rows[0]
        assert top.findings == max(g.findings for g in expected.by_package())
        await pilot.press("s")  # by worst
        assert screen.table.rows[0].worst is Severity.CRITICAL


async def test_findings_filters_refilter_without_a_call(ecr_settings: ConnectionSettings) -> None:
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        assert screen.session is not None
        # The view's fan-out runs in the reader's child: its calls are counted there.
        reader = app.reader
        calls = reader.call_count("DescribeImageScanFindings")
        everything = len(screen.table.rows)
        await pilot.press("m", "m", "m")  # HIGH and above
        await finished(screen, pilot)
        assert screen.scope.min_severity is Severity.HIGH
        shown = screen.table.rows
        assert 0 < len(shown) < everything
        assert all(r.severity >= Severity.HIGH or not r.severity.rated for r in shown)
        await pilot.press("f")
        await finished(screen, pilot)
        assert screen.table.rows and all(r.fix.fixable for r in screen.table.rows)
        assert reader.call_count("DescribeImageScanFindings") == calls
        assert "fix available" in str(screen.query_one("#fleet-scope").render())
        # An image filter reads again, for other images.
        await pilot.press("n")  # newest 3 per repository
        await finished(screen, pilot)
        assert screen.scope.newest_per_repository == 3
        assert reader.call_count("DescribeImageScanFindings") > calls


async def test_a_row_drills_to_its_images_and_an_image_to_its_findings(
    ecr_settings: ConnectionSettings,
) -> None:
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        assert screen.table.move_to_first(lambda r: r.cve == CURL)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AffectedScreen))
        affected = app.screen
        assert isinstance(affected, AffectedScreen)
        await wait_until(pilot, lambda: bool(affected.table.rows))
        curl = next(r for r in screen.table.rows if r.cve == CURL)
        assert len({row.key for row in affected.table.rows}) == curl.images
        assert all(row.finding.name == CURL for row in affected.table.rows)
        target = affected.table.current_row
        assert target is not None
        await pilot.press("c")
        assert app.clipboard == CURL
        await pilot.press("enter")
        findings = app.query_one(FindingsPane)
        await wait_until(
            pilot,
            lambda: findings.image is not None and findings.image.digest == target.image.digest,
        )
        images = app.query_one(ImagesPane)
        assert images.repository is not None
        assert images.repository.name == target.image.repository
        assert len(app.screen_stack) == 1
        # V comes back to the view as it was.
        await pilot.press("V")
        await wait_until(pilot, lambda: app.screen is screen)


async def test_open_vulnerability_lands_on_one_and_refuses_a_bad_id(
    ecr_settings: ConnectionSettings,
) -> None:
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        app.open_vulnerability("not a cve")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert any("Not a vulnerability id" in n.message for n in app._notifications)
        app.open_vulnerability(CURL.lower())
        await wait_until(pilot, lambda: isinstance(app.screen, AffectedScreen))
        affected = app.screen
        assert isinstance(affected, AffectedScreen)
        await wait_until(
            pilot, lambda: bool(affected.session.progress.finished and affected.table.rows)
        )
        await pilot.pause(1.2)  # the list's next refresh, after the last report
        assert {r.finding.name for r in affected.table.rows} == {CURL}
        title = str(affected.query_one("#affected-title").render())
        # After the account and region the view is about (the status line is hidden).
        assert f" │ Images with {CURL} · " in title and "us-east-1" in title.split(" │ ")[0]


async def test_cancel_keeps_what_was_read_and_says_it_is_partial(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)  # every image: long enough to cancel
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        assert screen.session is not None
        session = screen.session
        await wait_until(pilot, lambda: session.progress.reports_done >= 5)
        await pilot.press("x")
        await wait_until(pilot, lambda: session.progress.finished, timeout=30)
        await pilot.pause(0.6)
        coverage = " ".join(str(screen.query_one("#fleet-coverage").render()).split())
        assert coverage.startswith("partial: ") and "not read (cancelled)" in coverage
        assert "cancelled" in str(screen.query_one("#fleet-progress").render())


async def test_export_writes_the_file_and_shows_its_path(
    ecr_settings: ConnectionSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECR_TUI_EXPORT_DIR", str(tmp_path))
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        await pilot.press("E", "1")
        await wait_until(pilot, lambda: bool(screen.last_export))
        written = list(tmp_path.glob("ecr-findings-fleet-*.csv"))
        assert len(written) == 1
        assert str(written[0]) in screen.last_export
        assert str(written[0]) in str(screen.query_one("#fleet-info").render())
        rows = list(csv.DictReader(io.StringIO(written[0].read_text())))
        assert screen.session is not None
        assert len(rows) == screen.session.shown.finding_count
        await pilot.press("E", "escape")  # escape writes nothing
        await pilot.pause(0.3)
        assert len(list(tmp_path.iterdir())) == 1


async def test_help_lists_the_view_and_its_keys(ecr_settings: ConnectionSettings) -> None:
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = dict((description, keys) for keys, description in help_screen.key_rows())
        assert rows["Vulnerabilities"] == "V"
        assert rows["Group by"] == "v" and rows["Export"] == "E"


async def test_the_findings_pane_exports_what_it_shows(
    ecr_settings: ConnectionSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import jsonschema

    from tests.test_app import open_repository
    from tests.test_fleet_export import sarif_schema

    monkeypatch.setenv("ECR_TUI_EXPORT_DIR", str(tmp_path))
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "payments/api")
        target = next(i for i in images.table.rows if i.severity_counts.total and i.tags)
        images.table.move_to(target)
        await pilot.press("enter")
        findings = app.query_one(FindingsPane)
        await wait_until(pilot, lambda: findings.report is not None)
        await pilot.press("f")  # only those with a fix: the export keeps the filter
        shown = list(findings.table.rows)
        assert 0 < len(shown) < len(findings.report.findings)
        await pilot.press("E", "4")
        await wait_until(pilot, lambda: bool(list(tmp_path.glob("*.sarif"))))
        (written,) = tmp_path.glob("*.sarif")
        assert written.name.startswith(f"ecr-findings-payments-api-{target.tags[0]}")
        log = json.loads(written.read_text())
        jsonschema.Draft4Validator(sarif_schema()).validate(log)
        assert len(log["runs"][0]["results"]) == len(shown)
        assert any(str(written) in n.message for n in app._notifications)


async def test_a_dead_reader_child_is_a_problem_on_screen_and_r_reads_again(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)  # every image: long enough to be cut short
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        session = screen.session
        assert session is not None
        await wait_until(pilot, lambda: session.progress.reports_done >= 3)
        # Inspector's answers, as the fan-out's, are read in the reader's child.
        assert isinstance(session.scan, RemoteFleetScan)
        assert session.scan.source.startswith("Amazon Inspector")
        process: Any = app.reader._process
        os.kill(process.pid, signal.SIGKILL)
        await wait_until(pilot, lambda: session.progress.finished, timeout=30)
        await pilot.pause(0.6)
        # What stopped it and what to do first, then what the rows speak for.
        # (Wrapped to the screen: read as one line.)
        coverage = " ".join(str(screen.query_one("#fleet-coverage").render()).split())
        assert coverage.startswith("ECR reader stopped: ") and "press r to retry" in coverage
        # The demo's registry uses enhanced scanning: Inspector answers, in the child too.
        assert " · partial: Amazon Inspector: findings for " in coverage
        assert "stopped after" in str(screen.query_one("#fleet-progress").render())
        await pilot.press("r")  # read again: a new child answers
        again = screen.session
        assert again is not session and again is not None
        await wait_until(pilot, lambda: again.progress.reports_done >= 3, timeout=30)
        await pilot.pause(0.6)
        assert not again.problems
        assert "ECR reader stopped" not in str(screen.query_one("#fleet-coverage").render())


def test_a_coverage_line_too_long_for_its_three_lines_ends_in_an_ellipsis() -> None:
    from rich.console import Console

    from ecr_tui.ui.fleet.coverage_line import COVERAGE_LINES, within_lines

    console = Console(width=80)
    reason = "read image by image: Amazon Inspector refused inspector2:ListCoverage: allow "
    text = "findings for 255 of 300 images; 31 never scanned · " + reason * 3
    shown = within_lines(console, text, 78).split("\n")
    assert len(shown) == COVERAGE_LINES
    assert shown[-1].endswith("…") and all(len(line) <= 78 for line in shown)
    short = "findings for 255 of 300 images"
    assert within_lines(console, short, 78) == short  # what fits is left whole
