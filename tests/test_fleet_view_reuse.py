"""An image filter toggled back shows the read already made of its images: no call.

Against the demo endpoint, through the app's reader child (whose calls are counted):
the read shown again equals a fresh read of its scope (`r`), says how old its
reports are, and only whole reads are kept.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.models import Severity
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.fleet.coverage_line import coverage_text, reused_words
from ecr_tui.ui.fleet.reads import EarlierReads
from ecr_tui.ui.fleet.session import FleetSession
from ecr_tui.ui.fleet.view import VulnerabilitiesScreen
from ecr_tui.ui.panes.images import ImagesPane
from tests.test_fleet_view import finished, make_app, open_view


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")


# Tagged images only, the newest 5 per repository: the untagged newest 5 are others.
TAGGED = Scope(tagged_only=True, newest_per_repository=5)


def calls(app: Any) -> int:
    """The calls the reader's child made (ECR's and Amazon Inspector's), but for the
    repository the panes beneath show: its findings pane reads on its own clock."""
    panes = app.screen_stack[0].query_one(ImagesPane).repository
    return sum(
        count
        for (_, repository), count in app.reader._value("calls").items()
        if panes is None or repository != panes.name
    )


def shown(screen: VulnerabilitiesScreen) -> list[tuple[str, int, int]]:
    return [(r.cve, r.images, r.repositories) for r in screen.table.rows]


async def test_toggling_an_image_filter_back_shows_the_read_made_with_no_call(
    ecr_settings: ConnectionSettings,
) -> None:
    app = make_app(ecr_settings)
    app.fleet_scope = TAGGED
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        assert screen.session is not None
        first_read, first_rows = screen.session, shown(screen)
        first_coverage = coverage_text(first_read)
        assert first_rows and "reports from the read" not in first_coverage

        before = calls(app)
        await pilot.press("t")  # every image, not only tagged: other images, read
        await finished(screen, pilot)
        assert screen.session is not first_read and calls(app) > before
        assert coverage_text(screen.session) != first_coverage, first_coverage

        before = calls(app)
        await pilot.press("t")  # tagged only again: the first read, shown again
        await finished(screen, pilot)
        assert screen.session is first_read and screen.scope.tagged_only
        assert calls(app) == before
        assert shown(screen) == first_rows
        again = coverage_text(first_read)
        assert again == f"{reused_words(first_read.read_at)} · {first_coverage}"
        assert again.startswith("reports from the read at ") and " · r reads again · " in again

        # A findings filter refilters the read shown again, still with no call.
        await pilot.press("m", "m", "m")  # HIGH and above
        await finished(screen, pilot)
        assert screen.session.scope.min_severity is Severity.HIGH
        assert 0 < len(screen.table.rows) < len(first_rows) and calls(app) == before

        # `r` reads everything anew, equal to the read shown again: and keeps no old read.
        await pilot.press("m", "m")  # every severity again
        await finished(screen, pilot)
        await pilot.press("r")
        await finished(screen, pilot)
        fresh = screen.session
        assert fresh is not first_read and not fresh.reused and calls(app) > before
        assert shown(screen) == first_rows
        assert coverage_text(fresh) == first_coverage
        assert len(screen.earlier) == 0
        await pilot.press("t")  # the untagged read was forgotten by `r`: read again
        left = screen.session
        assert left is not fresh and not left.reused
        # Back at once: the fresh read is shown again. The one left, if still reading
        # (it may end first, on a fast machine), stops and is not kept; if whole, kept.
        await pilot.press("t")
        assert screen.session is fresh and fresh.reused
        await wait_until(pilot, lambda: left.progress.finished)
        if left.progress.cancelled:
            assert len(screen.earlier) == 0
        else:
            assert left.complete and screen.earlier.take(left.scope) is left


def read(settings: ConnectionSettings, scope: Scope) -> FleetSession:
    session = FleetSession(EcrService(settings), scope)
    session.run()
    return session


def test_only_whole_reads_are_kept_by_their_images(ecr_settings: ConnectionSettings) -> None:
    earlier = EarlierReads(most=2)
    whole = read(ecr_settings, Scope(tagged_only=True, newest_per_repository=1))
    assert whole.complete and earlier.keep(whole)
    # Found by its image filters, whatever the findings filters asked now.
    high = Scope(tagged_only=True, newest_per_repository=1, min_severity=Severity.HIGH)
    assert earlier.take(high) is whole and earlier.take(high) is None

    # A read cancelled part way is not kept: it shows less than a fresh read would.
    cancelled = FleetSession(EcrService(ecr_settings), Scope())
    worker = threading.Thread(target=cancelled.run)
    worker.start()
    deadline = time.monotonic() + 30
    while cancelled.progress.reports_done < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    cancelled.cancel()
    worker.join(30)
    assert cancelled.progress.finished and not cancelled.complete
    assert not earlier.keep(cancelled) and earlier.take(Scope()) is None

    # The most recently left are kept.
    newest_1, newest_3 = (read(ecr_settings, Scope(newest_per_repository=n)) for n in (1, 3))
    for session in (whole, newest_1, newest_3):
        assert earlier.keep(session)
    assert len(earlier) == 2 and earlier.take(whole.scope) is None
    assert earlier.take(Scope(newest_per_repository=3)) is newest_3

    # Within a memory budget: a read larger than it is read again, not kept; the
    # oldest go to make room for a new one.
    one, three = newest_1.held_bytes(), newest_3.held_bytes()
    assert 0 < one < three
    small = EarlierReads(most=3, most_bytes=three)
    assert small.keep(newest_1) and small.keep(newest_3)
    assert len(small) == 1 and small.take(newest_1.scope) is None
    assert not EarlierReads(most_bytes=three - 1).keep(newest_3)


def test_the_coverage_line_says_when_the_read_shown_again_was() -> None:
    at = time.mktime((2026, 11, 30, 22, 41, 7, 0, 0, -1))
    assert reused_words(at, now=at + 60) == "reports from the read at 22:41:07 · r reads again"
    next_day = at + 86_400
    assert reused_words(at, now=next_day) == (
        "reports from the read at 2026-11-30 22:41:07 · r reads again"
    )
