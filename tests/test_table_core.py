"""The data core of VirtualTable: merging pages, sorting, filtering, keeping the cursor."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region

from ecr_tui.core.models import Image, ScanReport, ScanState, SeverityCounts
from ecr_tui.ui.panes import base as pane_base_module
from ecr_tui.ui.panes import findings as findings_module
from ecr_tui.ui.panes.base import PAGE_BATCH_SECONDS, Pane
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.table import rows as rows_module
from ecr_tui.ui.table import widget as widget_module
from ecr_tui.ui.table.columns import Column
from ecr_tui.ui.table.widget import VirtualTable


@dataclass(frozen=True)
class Row:
    """Like the app's rows: frozen, comparable for equality but not for order."""

    name: str
    key: int
    size: int = 0


def by_key(row: Row) -> int:
    return row.key


def by_size(row: Row) -> int:
    return row.size


def make_table() -> VirtualTable[Row]:
    columns = [Column("Name", 10, flexible=True)]
    return VirtualTable(columns, lambda row, _: [row.name], lambda row: row.name)


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.table = make_table()

    def compose(self) -> ComposeResult:
        yield self.table


@pytest.fixture
async def table() -> AsyncIterator[VirtualTable[Row]]:
    app = TableApp()
    async with app.run_test(size=(60, 20)):
        yield app.table


def rows(prefix: str, keys: list[int]) -> list[Row]:
    return [Row(f"{prefix}{n}", key, size=key % 3) for n, key in enumerate(keys)]


def names(table: VirtualTable[Row]) -> list[str]:
    return [row.name for row in table.rows]


async def test_pages_merge_in_key_order(table: VirtualTable[Row]) -> None:
    table.set_sort(by_key)
    table.extend(rows("a", [5, 1, 9]))
    table.extend(rows("b", [0, 7, 10, 3]))
    assert [row.key for row in table.rows] == [0, 1, 3, 5, 7, 9, 10]
    assert table.total_rows == 7


async def test_equal_keys_keep_arrival_order(table: VirtualTable[Row]) -> None:
    table.set_sort(by_key)
    table.extend(rows("a", [2, 1, 2]))
    table.extend(rows("b", [2, 1]))
    assert names(table) == ["a1", "b1", "a0", "a2", "b0"]


async def test_reverse_shows_newest_first_and_equal_keys_in_arrival_order(
    table: VirtualTable[Row],
) -> None:
    table.set_sort(by_key, reverse=True)
    table.extend(rows("a", [2, 1, 2]))
    table.extend(rows("b", [2, 3, 1]))
    # As a stable sort with reverse=True: descending, equal keys in the order they came.
    assert names(table) == ["b1", "a0", "a2", "b0", "a1", "b2"]


async def test_no_sort_key_keeps_arrival_order(table: VirtualTable[Row]) -> None:
    table.extend(rows("a", [3, 1]))
    table.extend(rows("b", [2]))
    assert names(table) == ["a0", "a1", "b0"]
    table.set_sort(None, reverse=True)  # as before: no key, nothing to reverse
    assert names(table) == ["a0", "a1", "b0"]


async def test_a_new_sort_keeps_the_shown_order_among_equal_keys(
    table: VirtualTable[Row],
) -> None:
    table.set_sort(by_key, reverse=True)
    table.set_rows(rows("a", [0, 1, 2, 3, 4, 5]))  # sizes 0 1 2 0 1 2
    table.set_sort(by_size)
    assert names(table) == ["a3", "a0", "a4", "a1", "a5", "a2"]


async def test_filter_needs_every_word_and_narrows(table: VirtualTable[Row]) -> None:
    table.set_rows(
        Row(name, n) for n, name in enumerate(["api-prod", "api-dev", "web-prod", "Worker-Prod"])
    )
    table.set_filter("prod")
    assert names(table) == ["api-prod", "web-prod", "Worker-Prod"]
    table.set_filter("prod api")
    assert names(table) == ["api-prod"]
    table.set_filter("PROD  wor")
    assert names(table) == ["Worker-Prod"]
    table.set_filter("pro")  # wider again: searches every row
    assert names(table) == ["api-prod", "web-prod", "Worker-Prod"]
    table.set_filter("")
    assert table.total_rows == len(table.rows) == 4


async def test_pages_arriving_under_a_filter(table: VirtualTable[Row]) -> None:
    table.set_sort(by_key, reverse=True)
    table.set_filter("x")
    table.extend([Row("x1", 1), Row("y2", 2), Row("x3", 3)])
    table.extend([Row("x2", 2), Row("y0", 0), Row("x0", 0), Row("x4", 4)])
    assert names(table) == ["x4", "x3", "x2", "x1", "x0"]
    assert table.total_rows == 7
    table.set_filter("")
    assert names(table) == ["x4", "x3", "y2", "x2", "x1", "y0", "x0"]


async def test_cursor_stays_on_its_row(table: VirtualTable[Row]) -> None:
    table.set_sort(by_key, reverse=True)
    table.extend(rows("a", [10, 20, 30, 40]))
    assert table.move_to(table.rows[2])
    kept = table.current_row
    assert kept is not None and kept.key == 20
    table.extend(rows("b", [50, 25, 20, 5]))  # some before it, one equal after it
    assert table.current_row is kept
    assert table.cursor_row == 4
    table.set_filter("a")
    assert table.current_row is kept
    table.extend(rows("c", [60, 20]))
    assert table.current_row is kept
    table.set_sort(by_size)
    assert table.current_row is kept
    table.set_sort(None)
    assert table.current_row is kept
    table.set_filter("")
    assert table.current_row is kept
    table.set_rows(table.rows[::-1])
    assert table.current_row is kept


async def test_cursor_stays_in_place_when_its_row_is_filtered_out(
    table: VirtualTable[Row],
) -> None:
    table.set_rows(rows("a", [1, 2, 3]) + rows("b", [4, 5]))
    table.cursor_row = 4
    table.set_filter("a")
    assert table.cursor_row == 2


async def test_marks_survive_new_pages(table: VirtualTable[Row]) -> None:
    table.set_sort(by_key)
    table.extend(rows("a", [1, 2, 3]))
    marked = table.rows[1]
    table.toggle_mark(marked)
    table.extend(rows("b", [0, 2, 4]))
    assert table.marked_rows == [marked]
    table.toggle_mark(marked)
    assert table.marked_rows == []


async def test_a_replaced_row_keeps_its_place_the_cursor_and_its_mark(
    table: VirtualTable[Row],
) -> None:
    table.set_sort(by_key, reverse=True)
    table.extend(rows("a", [10, 20, 30, 40]))
    old = table.rows[2]  # key 20
    table.move_to(old)
    table.toggle_mark(old)
    table.set_filter("a")
    newer = Row(old.name, old.key, size=99)  # a newer record of it, same sort key
    assert table.replace_row(old, newer)
    assert table.current_row is newer and table.cursor_row == 2
    assert table.marked_rows == [newer]
    assert [row.key for row in table.rows] == [40, 30, 20, 10]
    # A new sort key moves it, and the cursor with it; the other rows stay.
    table.set_filter("")
    other = table.rows[0]
    moved = Row(old.name, 35)
    assert table.replace_row(newer, moved)
    assert [row.key for row in table.rows] == [40, 35, 30, 10]
    assert table.current_row is moved
    table.move_to(other)
    assert table.replace_row(moved, Row(old.name, 5))
    assert table.current_row is other
    assert [row.key for row in table.rows] == [40, 30, 10, 5]
    assert table.total_rows == 4
    assert not table.replace_row(moved, Row("gone", 1)), "not held (any more)"
    assert table.find_row(lambda row: row.key == 5) is table.rows[-1]


async def test_move_to_first(table: VirtualTable[Row]) -> None:
    table.set_rows(rows("a", [1, 2, 3]))
    assert table.move_to_first(lambda row: row.key == 3)
    assert table.cursor_row == 2
    assert not table.move_to(Row("a0", 1))  # equal, but not the same row


class Model:
    """What the table did before: a stable sort of all rows after each change."""

    def __init__(self) -> None:
        self.all: list[Row] = []
        self.key: Callable[[Row], Any] | None = None
        self.reverse = False
        self.terms: list[str] = []

    def resort(self) -> None:
        if self.key is not None:
            self.all.sort(key=self.key, reverse=self.reverse)

    def shown(self) -> list[Row]:
        return [r for r in self.all if all(t in r.name.lower() for t in self.terms)]


@pytest.mark.parametrize("step_rows", [rows_module.MERGE_STEP_ROWS, 2])
@pytest.mark.parametrize("seed", range(6))
async def test_random_changes_match_a_plain_stable_sort(
    table: VirtualTable[Row], seed: int, step_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With 2 rows a step, every merge and sort runs in many small steps.
    monkeypatch.setattr(rows_module, "MERGE_STEP_ROWS", step_rows)
    rng = random.Random(seed)
    model = Model()
    made = 0
    for _ in range(60):
        action = rng.choice(["extend", "extend", "extend", "filter", "sort", "move", "set"])
        before = table.current_row
        if action in ("extend", "set"):
            page = []
            for _ in range(rng.randrange(0, 30)):
                page.append(Row(f"{rng.choice('abc')}{rng.choice('xyz')}{made}", rng.randrange(8)))
                made += 1
            if action == "extend":
                table.extend(page)
                model.all += page
            else:
                table.set_rows(page)
                model.all = list(page)
            model.resort()
        elif action == "filter":
            text = rng.choice(["", "a", "ax", "x", "b z", "z b 1", "c"])
            table.set_filter(text)
            model.terms = text.lower().split()
        elif action == "sort":
            key = rng.choice([None, by_key, by_size])
            reverse = rng.random() < 0.5
            table.set_sort(key, reverse)
            model.key, model.reverse = key, reverse and key is not None
            model.resort()
        elif table.rows:
            table.cursor_row = rng.randrange(len(table.rows))
            before = table.current_row
        shown = model.shown()
        assert table.rows == shown
        assert [r.name for r in table.rows] == [r.name for r in shown]
        assert table.total_rows == len(model.all)
        if before is not None and any(r is before for r in shown):
            assert table.current_row is before


# -- merges in steps (extend_in_steps): keys pressed meanwhile are answered first --


@pytest.fixture
def slow_steps(monkeypatch: pytest.MonkeyPatch) -> float:
    """Every merge in steps, each 50 ms apart: time to change the table between them."""
    monkeypatch.setattr(widget_module, "STEPPED_MERGE_ROWS", 0)
    monkeypatch.setattr(widget_module, "MERGE_STEP_PAUSE", 0.05)
    return 0.05


async def test_a_merge_in_steps_ends_as_a_merge_at_once(
    table: VirtualTable[Row], slow_steps: float
) -> None:
    table.set_sort(by_key, reverse=True)
    table.set_filter("a")
    first, second = rows("a", [4, 1, 7]) + rows("b", [3]), rows("a", [2, 9]) + rows("b", [5])
    await table.extend_in_steps(first)
    await table.extend_in_steps(second)
    assert [row.key for row in table.rows] == [9, 7, 4, 2, 1]
    assert table.total_rows == 7
    table.set_filter("")
    assert [row.key for row in table.rows] == [9, 7, 5, 4, 3, 2, 1]


async def test_rows_dropped_during_a_merge_take_the_page_with_them(
    table: VirtualTable[Row], slow_steps: float
) -> None:
    table.set_sort(by_key)
    table.extend(rows("old", [1, 2]))
    merging = asyncio.create_task(table.extend_in_steps(rows("late", [3, 4])))
    await asyncio.sleep(slow_steps / 2)  # the first step is done, the rest waits
    assert table.total_rows == 2  # nothing lands before the last step
    table.clear()
    await merging
    assert table.total_rows == 0


async def test_a_filter_typed_during_a_merge_applies_to_the_page(
    table: VirtualTable[Row], slow_steps: float
) -> None:
    table.set_sort(by_key)
    table.extend(rows("x", [1, 5]) + rows("y", [3]))
    merging = asyncio.create_task(table.extend_in_steps(rows("x", [4]) + rows("y", [2])))
    await asyncio.sleep(slow_steps / 2)
    table.set_filter("x")  # the merge started without a filter: it starts again
    await merging
    assert [row.key for row in table.rows] == [1, 4, 5]
    assert table.total_rows == 5


async def test_the_cursor_moved_during_a_merge_stays_on_its_row(
    table: VirtualTable[Row], slow_steps: float
) -> None:
    table.set_sort(by_key, reverse=True)
    table.extend(rows("a", [10, 20, 30, 40]))
    merging = asyncio.create_task(table.extend_in_steps(rows("b", [50, 35, 5]), stay_at_top=True))
    await asyncio.sleep(slow_steps / 2)
    table.cursor_row = 2  # a key press between steps: onto key 20
    kept = table.current_row
    await merging
    assert table.current_row is kept
    assert table.cursor_row == 4  # 50 and 35 landed above it


async def test_a_cursor_left_at_the_top_stays_on_the_newest_row(
    table: VirtualTable[Row], slow_steps: float
) -> None:
    table.set_sort(by_key, reverse=True)
    table.extend(rows("a", [10, 20]))
    await table.extend_in_steps(rows("b", [50, 5]), stay_at_top=True)
    assert table.cursor_row == 0
    assert table.current_row is not None and table.current_row.key == 50


async def test_a_sort_chosen_during_a_merge_applies_to_the_page(
    table: VirtualTable[Row], slow_steps: float
) -> None:
    table.set_sort(by_key)
    table.extend(rows("a", [1, 2, 3, 4, 5]))  # sizes 1 2 0 1 2
    merging = asyncio.create_task(table.extend_in_steps(rows("b", [6, 7, 8])))  # 0 1 2
    await asyncio.sleep(slow_steps / 2)
    table.set_sort(by_size)  # the page was sorted by key: it is sorted again
    await merging
    assert [row.size for row in table.rows] == [0, 0, 1, 1, 1, 2, 2, 2]


def thumb_lines(table: VirtualTable[Row]) -> list[int]:
    """The lines of the table's scrollbar that show the thumb."""
    bar = table.vertical_scrollbar
    strips = bar.render_lines(Region(0, 0, bar.size.width, bar.size.height))
    return [
        y
        for y, strip in enumerate(strips)
        if any(seg.style is not None and (seg.style.reverse or seg.text.strip()) for seg in strip)
    ]


async def test_the_scrollbar_thumb_follows_the_rows_shown() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.table
        table.set_rows(rows("r", list(range(10_000))))
        table.focus()
        await pilot.pause()
        top = thumb_lines(table)
        assert top and top[0] == 0
        await pilot.press("j")  # a row down: the thumb stays where it is drawn
        await pilot.pause()
        assert thumb_lines(table) == top
        await pilot.press("G")
        await pilot.pause()
        bottom = thumb_lines(table)
        assert bottom and bottom[-1] == table.vertical_scrollbar.size.height - 1
        await pilot.press("g")
        await pilot.pause()
        assert thumb_lines(table) == top


async def test_a_merge_ready_while_keys_come_shows_with_the_next_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(widget_module, "STEPPED_MERGE_ROWS", 0)
    monkeypatch.setattr(widget_module, "KEYS_PAUSE_SECONDS", 5.0)
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.table
        table.set_sort(by_key)
        table.extend(rows("a", [1, 3, 5]))
        table.focus()
        await pilot.press("j")  # onto key 3: keys are coming
        merging = asyncio.create_task(table.extend_in_steps(rows("b", [2, 4])))
        await pilot.pause(0.3)
        assert not merging.done() and table.total_rows == 3  # merged, not shown yet
        await pilot.press("j")  # onto key 5; the merge shows in this key's frame
        await asyncio.wait_for(merging, 1)
        assert table.total_rows == 5
        assert table.current_row is not None and table.current_row.key == 5
        assert table.cursor_row == 4


# -- a pane's pages: the first shows at once, on its own; later ones in batches --


class ImagesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ImagesPane("Images", id="images")


def image(n: int) -> Image:
    return Image("repo", f"sha256:{n:064x}", (f"v{n}",), 1_700_000_000.0 + n, n, "COMPLETE")


async def test_the_first_page_shows_at_once_and_later_pages_in_a_batch() -> None:
    app = ImagesApp()
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(ImagesPane)
        request = pane._next_request()
        first, second, third = (
            [image(n) for n in range(start, start + 50)] for start in (0, 50, 100)
        )
        for page in (first, second, third):  # all three queued before any is handled
            pane.post_message(Pane.Loaded(request, page, done=False))
        await pilot.pause()
        assert pane.table.total_rows == 50  # the first page alone, newest first
        assert pane.table.current_row == first[-1]
        await pilot.pause(PAGE_BATCH_SECONDS + 0.1)
        assert pane.table.total_rows == 150
        assert pane.is_loading
        pane.post_message(Pane.Loaded(request, [], done=True))
        await pilot.pause(0.1)
        assert not pane.is_loading
        assert pane.table.current_row == third[-1]  # the cursor stayed on the newest
        assert pane.border_subtitle == "150 images"


@pytest.fixture
def slow_quiet(monkeypatch: pytest.MonkeyPatch) -> float:
    """Keys count as still coming for a second after each: room for a slow machine."""
    monkeypatch.setattr(widget_module, "KEYS_PAUSE_SECONDS", 1.0)
    return 1.0


async def press_for(pilot: Any, seconds: float, key: str = "j") -> None:
    """Press `key` every tenth of a second for `seconds`."""
    for _ in range(round(seconds / 0.1)):
        await pilot.press(key)
        await pilot.pause(0.1)


async def moving_while_a_page_waits(app: App[None], pilot: Any) -> tuple[ImagesPane, int]:
    """A pane shows a first page, the user moves the cursor, a second page comes."""
    pane = app.query_one(ImagesPane)
    request = pane._next_request()
    pane.post_message(Pane.Loaded(request, [image(n) for n in range(50)], done=False))
    await pilot.pause()
    pane.table.focus()
    await pilot.press("j")
    pane.post_message(Pane.Loaded(request, [image(n) for n in range(50, 100)], done=False))
    return pane, request


async def test_pages_wait_while_keys_move_the_cursor(slow_quiet: float) -> None:
    app = ImagesApp()
    async with app.run_test(size=(100, 30)) as pilot:
        pane, _ = await moving_while_a_page_waits(app, pilot)
        await press_for(pilot, PAGE_BATCH_SECONDS + 0.3)
        assert pane.table.total_rows == 50  # a batch was due, but keys kept coming
        moved_to = pane.table.current_row
        await pilot.pause(slow_quiet + 0.2)
        assert pane.table.total_rows == 100  # they paused: the page landed
        assert pane.table.current_row is moved_to


async def test_pages_wait_for_keys_no_longer_than_pages_wait_seconds(
    slow_quiet: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pane_base_module, "PAGES_WAIT_SECONDS", 0.8)
    app = ImagesApp()
    async with app.run_test(size=(100, 30)) as pilot:
        pane, request = await moving_while_a_page_waits(app, pilot)
        await press_for(pilot, 1.6)
        assert pane.table.total_rows == 100  # landed while keys were still coming
        # The last page never waits: the load ends at once.
        pane.post_message(Pane.Loaded(request, [image(100)], done=True))
        await pilot.press("j")
        await pilot.pause(0.2)
        assert pane.table.total_rows == 101
        assert not pane.is_loading


class BrowseApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ImagesPane("Images", id="images")
        yield FindingsPane("Findings", id="findings")


async def test_findings_wait_for_the_images_cursor_to_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rest = 1.0  # room for a slow machine
    # Both the images pane (follow_later) and the findings pane read it.
    monkeypatch.setattr(pane_base_module, "FOLLOW_DELAY", rest)
    monkeypatch.setattr(findings_module, "FOLLOW_DELAY", rest)
    app = BrowseApp()
    async with app.run_test(size=(120, 30)) as pilot:
        images, findings = app.query_one(ImagesPane), app.query_one(FindingsPane)
        request = images._next_request()
        images.post_message(Pane.Loaded(request, [image(n) for n in range(50)], done=True))
        await pilot.pause()
        images.table.focus()
        shown = images.table.current_row
        asked = findings._next_request(keep_showing=True)
        report = ScanReport(
            shown.repository, shown.digest, ScanState.COMPLETE, "", None, SeverityCounts(), ()
        )
        await pilot.press("j")  # the user moves on while the findings are on their way
        findings.post_message(Pane.Loaded(asked, [report], done=True))
        await pilot.pause(rest / 3)
        assert findings.report is None  # not painted under the keys
        await pilot.pause(rest)
        assert findings.report is report  # the cursor rested: painted
        assert findings.table.empty_text.startswith("No findings")


class TwoColumnApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        columns = [Column("Name", 4, flexible=True, max_width=30), Column("Key", 4)]
        self.table: VirtualTable[Row] = VirtualTable(
            columns, lambda row, _: [row.name, str(row.key)], lambda row: row.name
        )

    def compose(self) -> ComposeResult:
        yield self.table


async def test_lines_drawn_before_a_longer_row_arrived_are_drawn_again_in_line() -> None:
    """Arriving rows can widen a column (its longest value): no line keeps the old width."""
    app = TwoColumnApp()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.table
        table.set_sort(by_key)
        table.extend([Row("db", 1), Row("web", 2)])
        await pilot.pause()
        before = table.render_line(1).text
        table.extend([Row("payments/settlement-batch", 3)])
        await pilot.pause()
        lines = [table.render_line(y).text for y in range(1, 4)]
        # Every row's Key starts in the same column, the drawn-before ones too.
        starts = {
            line.index(str(key), len(name))
            for line, (name, key) in zip(
                lines, [("db", 1), ("web", 2), ("payments/settlement-batch", 3)], strict=True
            )
        }
        assert len(starts) == 1, lines
        assert lines[0] != before  # drawn again at the new width
