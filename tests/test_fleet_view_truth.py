"""The vulnerabilities view tells the truth: unknown fix status is unknown, the
by-repository counts say which images they speak for, the sorts, the progress and
coverage lines after a cancel, and nothing cut at 80 columns. Against the demo
endpoint, checked against the core's answer over the same scope.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.fanout import FleetScan, Progress
from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.models import FixAvailable, Severity
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.fleet.affected import AffectedScreen
from ecr_tui.ui.fleet.rows import BY_PACKAGE, BY_REPOSITORY, repository_columns
from ecr_tui.ui.format import Palette
from ecr_tui.ui.key_bar import KeyBar, entry_width, fitting
from ecr_tui.ui.table.cells import no_style
from tests.test_fleet_view import CURL, SCOPE, finished, make_app, open_view


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")


@pytest.fixture(scope="module")
def tagged(ecr_settings: ConnectionSettings) -> FleetFindings:
    """The fan-out's answer over the view's test scope (tagged, newest 2 per repository)."""
    return FleetScan(EcrService(ecr_settings), SCOPE).run().findings


def plain(palette_cell: Any) -> str:
    return palette_cell if isinstance(palette_cell, str) else palette_cell.plain


PALETTE: Palette = no_style


def test_by_repository_counts_the_latest_tagged_image_or_every_one(
    tagged: FleetFindings,
) -> None:
    latest = {g.repository: g for g in tagged.by_repository(every_image=False)}
    every = {g.repository: g for g in tagged.by_repository(every_image=True)}
    assert latest and set(latest) <= set(every)
    assert any(every[name].images > 1 for name in latest)  # the rule changes something
    for name, group in latest.items():
        images = tagged.images_of(name)  # newest push first, with their findings
        newest_tagged, findings = next((i, f) for i, f in images if i.tags)
        assert group.images == 1
        assert group.total == len(findings)
        assert group.count(Severity.CRITICAL) == sum(
            f.severity is Severity.CRITICAL for f in findings
        )
        assert group.fixable == sum(f.fix.fixable for f in findings)
        # Unknown, not 0, when no finding says whether a fix exists.
        assert group.fixable_known == (
            any(f.fix is not FixAvailable.UNKNOWN for f in findings) or not findings
        )
        assert newest_tagged.pushed_seconds == max(
            i.pushed_seconds or 0.0 for i, _ in images if i.tags
        )
    for name, group in every.items():
        assert group.images == len(tagged.images_of(name))
        assert group.total == sum(len(f) for _, f in tagged.images_of(name))


def test_unknown_fix_status_is_unknown_and_counted_when_left_out(
    tagged: FleetFindings,
) -> None:
    pairs = list(tagged.all_findings())
    unknown = sum(p.finding.fix is FixAvailable.UNKNOWN for p in pairs)
    assert 0 < unknown < len(pairs)  # the demo has basic scanning and enhanced
    rows = tagged.by_repository()
    # Basic scanning's repositories: their fixable count is not known, not 0.
    assert any(not row.fixable_known and row.total for row in rows)
    cells = dict((row.repository, BY_REPOSITORY.cells(row, PALETTE)) for row in rows)
    for row in rows:
        fixable_cell = plain(cells[row.repository][7])
        assert fixable_cell == (f"{row.fixable:,}" if row.fixable_known else "—")
    # "Fix available" leaves the unknown ones out, and says how many.
    fixable = tagged.refiltered(Scope(fixable=True))
    assert fixable.unknown_fix_left_out == unknown
    assert fixable.finding_count == sum(p.finding.fix.fixable for p in pairs)
    # A vulnerability with no known fix where some finding's status is unknown is not "no fix".
    for group in tagged.by_vulnerability():
        statuses = {a.finding.fix for a in tagged.affected_images(group.cve)}
        if statuses == {FixAvailable.NO}:
            assert group.fix is FixAvailable.NO
        elif not any(s.fixable for s in statuses):
            assert group.fix is FixAvailable.UNKNOWN
    for package in tagged.by_package():
        if not package.fixed_in:
            cell = plain(BY_PACKAGE.cells(package, PALETTE)[-1])
            assert cell == ("none" if package.fix is FixAvailable.NO else "—")


def test_repository_columns_hold_every_count_whole(tagged: FleetFindings) -> None:
    rows = tagged.by_repository()
    columns = repository_columns(rows)
    for row in rows:
        for column, cell in zip(columns, BY_REPOSITORY.cells(row, PALETTE), strict=True):
            if column.align == "right":
                assert cell_len(plain(cell)) <= column.width, (column.label, plain(cell))


def test_progress_names_no_time_left_it_cannot_tell() -> None:
    # Inspector's progress has no reading time: no pace, no "~0 s left".
    inspector = Progress(0, 0, 7_416, 17_007, 40, 0, 1, 9.0, False, False)
    assert inspector.seconds_left is None
    line = inspector.phase_line("Amazon Inspector", "findings")
    assert line.startswith("Amazon Inspector: findings 7,416/17,007") and "left" not in line
    early = Progress(10, 10, 3, 5_499, 5, 0, 6, 1.0, False, False, reading=0.5)
    assert early.seconds_left is None  # 3 reports in half a second tell no pace
    steady = Progress(10, 10, 1_001, 5_499, 1_050, 0, 6, 12.0, False, False, reading=10.0)
    assert steady.seconds_left == pytest.approx(0.01 * 4_498)
    assert "DescribeImageScanFindings: reports 1,001/5,499" in steady.phase_line(
        "DescribeImageScanFindings", "reports"
    )
    assert "~45 s left" in steady.phase_line("DescribeImageScanFindings", "reports")


ENTRY = st.tuples(
    st.sampled_from(["a", "E", "esc", "enter", "/", "?"]),
    st.text("abcdefgh ", min_size=1, max_size=14),
    st.booleans(),
)


@given(st.lists(ENTRY, max_size=14), st.booleans(), st.integers(0, 120))
def test_a_key_bar_leaves_out_whole_entries_and_keeps_help(
    entries: list[tuple[str, str, bool]], with_help: bool, width: int
) -> None:
    help_entry = ("?", "Help", True) if with_help else None
    all_entries = [*entries, help_entry] if help_entry else entries
    kept = fitting(all_entries, help_entry, width)
    if sum(entry_width(e) for e in all_entries) <= width:
        assert kept == all_entries
        return
    assert sum(entry_width(e) for e in kept) <= width
    shown = [e for e in kept if e != help_entry]
    others = [e for e in all_entries if help_entry is None or e[0] != help_entry[0]]
    assert shown == others[: len(shown)]  # the first ones, in order, each whole
    if help_entry is not None and entry_width(help_entry) <= width:
        assert kept[-1] == help_entry


async def test_the_view_at_80_columns_cuts_no_count_and_no_key(
    ecr_settings: ConnectionSettings, tagged: FleetFindings
) -> None:
    app = make_app(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        await pilot.press("v")
        await finished(screen, pilot)
        assert screen.grouping is BY_REPOSITORY
        title = str(screen.table.border_title)
        assert "the latest tagged image of each" in title and "a: every image" in title
        assert {(r.repository, r.counts) for r in screen.table.rows} == {
            (g.repository, g.counts) for g in tagged.by_repository(every_image=False)
        }
        name_width = screen.table._column_widths()[0]
        lines = [screen.table.render_line(y).text for y in range(1, 6)]
        for row, line in zip(screen.table.rows, lines, strict=False):
            for severity in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM):
                assert f"{row.count(severity):,}" in line.split()
            # Only the name column gives up room ("…"); the counts are whole.
            assert "…" not in line[name_width + 1 :]
        await pilot.press("a")
        await finished(screen, pilot)
        assert "every image in scope" in str(screen.table.border_title)
        assert {(r.repository, r.images, r.counts) for r in screen.table.rows} == {
            (g.repository, g.images, g.counts) for g in tagged.by_repository()
        }
        bar = str(screen.query_one(KeyBar).render())
        assert bar.rstrip().endswith("? Help")
        labels = {b.description for b in screen.BINDINGS if hasattr(b, "description")}
        for word in bar.split("  "):
            key_and_label = word.strip().split(" ", 1)
            if len(key_and_label) == 2:
                assert key_and_label[1] in labels | {"Help", "Open", "Command", "Quit"}
        main = str(app.screen_stack[0].query_one(KeyBar).render())
        assert main.rstrip().endswith("? Help")


async def test_fix_available_says_what_it_left_out(
    ecr_settings: ConnectionSettings, tagged: FleetFindings
) -> None:
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        await pilot.press("f")
        await finished(screen, pilot)
        left_out = tagged.refiltered(Scope(fixable=True)).unknown_fix_left_out
        assert f"{left_out:,} findings of unknown fix status left out" in str(
            screen.table.border_subtitle
        )


async def test_epss_and_exploit_sorts(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)  # every image: Amazon Inspector answers, with EPSS
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        names = [name for name, _ in screen.grouping.sorts]
        while screen.grouping.sorts[screen.sort_index][0] != "EPSS":
            await pilot.press("s")
        rows = screen.table.rows
        known = [r.epss for r in rows if r.epss is not None]
        assert known and known == sorted(known, reverse=True)
        assert all(r.epss is None for r in rows[len(known) :])  # unknown last
        await pilot.press("s")
        assert names[screen.sort_index] == "exploit available"
        exploits = [r.exploit for r in screen.table.rows]
        rank = {"YES": 0, "NO": 1, "": 2}
        assert [rank[e] for e in exploits] == sorted(rank[e] for e in exploits)
        assert exploits[0] == "YES"


async def test_a_cancel_in_inspectors_phase_says_what_was_never_reached(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)  # every image: Inspector first, then the fan-out for the rest
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        session = screen.session
        assert session is not None
        await wait_until(pilot, lambda: session.scan.source == "Amazon Inspector")
        progress = str(screen.query_one("#fleet-progress").render())
        assert "Amazon Inspector: findings " in progress and "~0 s" not in progress
        await pilot.press("x")
        await wait_until(pilot, lambda: session.progress.finished, timeout=30)
        await pilot.pause(0.6)
        coverage = " ".join(str(screen.query_one("#fleet-coverage").render()).split())
        assert coverage.startswith(
            "partial: the repositories Inspector does not scan not reached (cancelled); "
        )


async def test_the_images_of_a_row_wrap_their_coverage_line(
    ecr_settings: ConnectionSettings,
) -> None:
    app = make_app(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        assert screen.table.move_to_first(lambda r: r.cve == CURL)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AffectedScreen))
        affected = app.screen
        assert isinstance(affected, AffectedScreen)
        status = affected.query_one("#affected-status")
        # At once (its first text, before a layout, is wrapped to the screen's width).
        lines = str(status.render()).split("\n")
        assert 2 <= len(lines) <= 3
        await pilot.pause(0.2)
        assert status.size.height == len(lines)
        view_lines = str(screen.query_one("#fleet-coverage").render()).split("\n")
        assert lines == view_lines  # the same text, wrapped the same way
