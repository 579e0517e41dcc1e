"""Pane: what the three panes share.

Each pane owns its loading: a thread worker, exclusive within the pane's
group, reads pages from a `Reader` (the app's `RemoteReader`) and posts them
back as messages stamped with the question they answer. A page for a
repository or image the user has since left is dropped. Failed workers are
turned into notifications by the app.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from ecr_tui.core.errors import Problem, explain_error
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.panes.info_lines import InfoLines
from ecr_tui.ui.table.filter_box import FilterBox, FilterKeys
from ecr_tui.ui.table.widget import VirtualTable

# How long the cursor must rest on a row before the next pane loads it: long
# enough that holding j does not fire a request per row, short enough to feel
# instant.
FOLLOW_DELAY = 0.12
# How often pages of a long listing are handed to the table while it loads. Each
# batch costs a merge and a repaint; at 0.25 s they held up keys (benchmark p99
# 50-80 ms against 35-56 ms at 0.5 s, same machine, same hour).
PAGE_BATCH_SECONDS = 0.5
# Keys first: while the user moves through a loading table, gathered pages wait
# for the keys to pause (table.widget.KEYS_PAUSE_SECONDS), for at most
# PAGES_WAIT_SECONDS. Fewer merges then compete with keys, and rows do not shift
# under the cursor mid-burst.
PAGES_WAIT_SECONDS = 2.0
# How often the count in a loading pane's border changes (it repaints the whole frame).
LOADING_COUNT_SECONDS = 1.0


class Pane(FilterKeys, Vertical):
    """A bordered pane: a table, a filter box that `/` opens, and an info line."""

    ALLOW_MAXIMIZE = True
    # Whether the info line's first line wraps (see InfoLines) rather than being cut,
    # and then the fewest lines it keeps (its height in app.tcss).
    info_wraps_first_line = False
    info_least_lines = 1

    BINDINGS: ClassVar[list[BindingType]] = [FilterKeys.filter_binding("pane.filter")]

    class Loaded(Message):
        """A page of rows for the question `request` (stale pages are dropped).

        `texts` are the rows' search texts, when the loading worker worked them out;
        `notes`, what else the pane had it work out about them (see `page_texts`).
        """

        def __init__(
            self,
            request: int,
            rows: Sequence[Any],
            done: bool,
            texts: list[str] | None = None,
            notes: object = None,
        ) -> None:
            super().__init__()
            self.request = request
            self.rows = rows
            self.done = done
            self.texts = texts
            self.notes = notes

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self.reader: Reader | None = None
        self.table = self.make_table()
        self.filter_box = FilterBox(self.table)
        self.info = InfoLines(
            classes="info",
            wrap_first_line=self.info_wraps_first_line,
            least_lines=self.info_least_lines,
        )
        self.table.highlight_hook = self.show_info
        self._request = 0
        # The worker answering the question asked now: a superseded one may still
        # fail later (a cancelled thread runs on), and must not be reported.
        self.current_load: Worker[None] | None = None
        self._loading = False
        self._follow_timer: Timer | None = None
        self._wanted: Callable[[Any], bool] | None = None
        self.wanted_since = 0.0  # when `select_when_loaded` was asked (time.monotonic())
        # The cursor is on the row `select_when_loaded` asked for: later pages keep it
        # there, even when that row was the first one shown (see `_stays_at_top`).
        self._wanted_selected = False
        # Pages that arrived since the table last took rows (see on_pane_loaded).
        self._pending: list[Any] = []
        self._pending_texts: list[str] = []
        self._pending_since = 0.0  # when the oldest of the pending pages came
        self._all_arrived = False  # the last page of the current request came
        self._count_shown_at = 0.0
        self._flush_lock = asyncio.Lock()
        self._flush_timer: Timer | None = None
        # Why the last load stopped short; None while loading and once one succeeds.
        self.failure: Problem | None = None

    @property
    def is_loading(self) -> bool:
        """True while a load is under way."""
        return self._loading

    def make_table(self) -> VirtualTable[Any]:
        """The pane's table (subclasses choose columns)."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        """Table, then the hidden filter box, then the info line."""
        yield self.table
        yield self.filter_box
        yield self.info

    # -- loading ----------------------------------------------------------------

    def show_info(self, row: Any) -> None:
        """Describe the highlighted row under the table (each pane says how)."""

    def set_info(self, text: Text | str, shorter: Sequence[Text] = ()) -> None:
        """Show `text` under the table, or one of its `shorter` forms where it does not
        fit (its lines have a fixed height: see app.tcss)."""
        self.info.update(text, shorter)

    def _next_request(self, *, keep_showing: bool = False) -> int:
        """A new question: the last one's pages are dropped, and (unless
        `keep_showing`) its rows at once."""
        self._request += 1
        self.current_load = None  # until the new question's worker starts
        self._loading = True
        self.failure = None
        # Keys typed into the table meanwhile wait for its rows (see key_order).
        self.table.expect_rows(True)
        self._all_arrived = False
        self._count_shown_at = 0.0
        self._wanted_selected = False
        self._take_pending()
        if not keep_showing:
            self.table.clear()
            # The rows have gone: so must the line that described the highlighted one.
            self.show_info(None)
            self.refresh_subtitle()
        return self._request

    def _loading_over(self) -> None:
        """No more rows are coming for the current question (all came, or it failed)."""
        self._loading = False
        self.table.expect_rows(False)

    def post_page(self, request: int, page: Sequence[Any]) -> None:
        """From a loading worker: a page, with its search texts worked out here.

        Lower-casing and joining 100,000 rows' texts is a few milliseconds a page of
        Python: in the worker it shares the GIL in slices, instead of holding the UI
        thread (and the keys pressed meanwhile) for the whole batch.
        """
        texts, notes = self.page_texts(page)
        # Rows live as long as the pane shows them: out of the collector's sight at
        # once (a refcount still frees them), so that its young collections, which
        # pause every thread, do not walk each page's thousands of tuples.
        gc.freeze()
        self.post_message(self.Loaded(request, page, False, texts, notes))

    def page_texts(self, page: Sequence[Any]) -> tuple[list[str], object]:
        """In the loading worker: the page's search texts, and notes for `Loaded.notes`."""
        return self.table.search_texts(page), None

    def on_pane_loaded(self, message: Loaded) -> None:
        """Add a page if it still answers the current question.

        The first page shows at once; later ones are gathered and handed to the
        table at most every PAGE_BATCH_SECONDS, so that a 100,000-image load
        re-sorts a few dozen times, not once per page, and keys stay quick.
        """
        message.stop()
        if message.request != self._request:
            return
        if not self._pending:
            self._pending_since = time.monotonic()
        self._pending.extend(message.rows)
        texts = message.texts
        self._pending_texts.extend(
            self.table.search_texts(message.rows) if texts is None else texts
        )
        if message.done:
            self._all_arrived = True
        if not self.table.total_rows and not self._flush_lock.locked():
            self._show_first_page()
        if message.done:
            self._flush_after(0)
        elif self._pending and self._flush_timer is None:
            self._flush_after(PAGE_BATCH_SECONDS)

    def _take_pending(self) -> tuple[list[Any], list[str]]:
        rows, self._pending = self._pending, []
        texts, self._pending_texts = self._pending_texts, []
        return rows, texts

    def _show_first_page(self) -> None:
        """Into an empty table: nothing to merge with, so at once, and on its own."""
        rows, texts = self._take_pending()
        self.table.extend(rows, texts, stay_at_top=self._stays_at_top())
        self._select_wanted()
        self.table.expect_rows(False)
        self._count_shown_at = time.monotonic()
        self.refresh_subtitle()
        self.first_rows_shown()

    def first_rows_shown(self) -> None:
        """Rows are in an empty table now: what said there were none must go (each pane says)."""

    def _flush_after(self, delay: float) -> None:
        if self._flush_timer is not None:
            self._flush_timer.stop()
        # A timer of its own: the merge pauses between steps, and this pane's
        # messages (more pages) must not wait for it meanwhile.
        # (Not a delay of 0: Textual's timers divide by it.)
        self._flush_timer = self.set_timer(max(delay, 0.001), self._flush_pending)

    async def _flush_pending(self) -> None:
        """Hand the pages gathered so far to the table; end the load after the last."""
        self._flush_timer = None
        now = time.monotonic()
        keys_pause_in = self.table.keys_pause_in()
        if (
            keys_pause_in > 0
            and not self._all_arrived
            and now - self._pending_since < PAGES_WAIT_SECONDS
        ):
            self._flush_after(keys_pause_in)
            return
        async with self._flush_lock:  # one merge at a time, in arrival order
            request = self._request
            if self._pending:
                rows, texts = self._take_pending()
                await self.table.extend_in_steps(rows, texts, stay_at_top=self._stays_at_top())
                if request != self._request:
                    return
                self._select_wanted()
            if self._all_arrived and not self._pending and self._loading:
                self._loading_over()
                self.table.empty_text = self.empty_text()
                self.table.refresh()
                self.listing_ended()
            # A new count repaints the pane's whole frame: while pages arrive, once
            # a LOADING_COUNT_SECONDS shows the progress.
            now = time.monotonic()
            if not self._loading or now - self._count_shown_at >= LOADING_COUNT_SECONDS:
                self._count_shown_at = now
                self.refresh_subtitle()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed load leaves a readable reason in the pane (the app notifies)."""
        if event.worker.group != self.id:
            return
        if event.state is WorkerState.ERROR and event.worker is not self.current_load:
            return  # a question no longer asked: its failure says nothing of the screen
        if event.state is WorkerState.ERROR:
            self._loading_over()
            problem = explain_error(event.worker.error or Exception("unknown failure"))
            self.failure = problem
            self.table.empty_text = f"{problem.title}. Press r to retry."
            self.table.refresh()
            if not (self.table.total_rows or self._pending):
                # Nothing listed: what failed, in full, where a row would be described.
                self.set_info(f"{problem.title}: {problem.detail}")
            self.refresh_subtitle()
            self.load_failed(problem)
        if event.state in (WorkerState.ERROR, WorkerState.SUCCESS):
            # State changes do not bubble: the app explains failures in one place, and
            # learns from successes that ECR answers again (see its status line).
            self.app.post_message(Worker.StateChanged(event.worker, event.state))

    def load_failed(self, problem: Problem) -> None:
        """After a failed load: what else must not stay on screen (each pane says)."""

    def _stays_at_top(self) -> bool:
        """Until the user moves it, the cursor stays on the first row (the newest
        image) rather than on whichever row happened to arrive first; once on the row
        `select_when_loaded` asked for, it stays there, even if that was the first."""
        return not self._wanted_selected

    def select_when_loaded(self, wanted: Callable[[Any], bool]) -> None:
        """Put the cursor on the first row matching `wanted`, now or when it arrives."""
        self._wanted = wanted
        self.wanted_since = time.monotonic()
        self._select_wanted()

    @property
    def cursor_row_is_meant(self) -> bool:
        """Whether the row under the cursor is one the user meant: put there (moved to,
        or the row `select_when_loaded` asked for), or the first of a complete listing.
        Mid-load, row 0 is only whichever row arrived first."""
        complete = not self._loading and self.failure is None
        return complete or self._wanted_selected or self.table.cursor_row != 0

    @property
    def awaits_wanted(self) -> bool:
        """True while the row `select_when_loaded` asked for has not come."""
        return self._wanted is not None

    def forget_wanted(self) -> None:
        """Stop waiting for the row `select_when_loaded` asked for."""
        self._wanted = None

    def _select_wanted(self) -> None:
        if self._wanted is None:
            return
        row = next((row for row in self.table.rows if self._wanted(row)), None)
        if row is not None:
            self._wanted = None
            self._wanted_selected = True
            self.table.move_to(row)
            self.wanted_selected(row)

    def wanted_selected(self, row: Any) -> None:
        """The cursor is now on the row `select_when_loaded` asked for."""

    def listing_ended(self) -> None:
        """Every page of the current listing is in the table.

        A row `select_when_loaded` asked for and that never came is forgotten.
        """
        self._wanted = None

    def empty_text(self) -> str:
        """What an empty table says once loading is over."""
        return "Nothing here."

    def refresh_subtitle(self) -> None:
        """The border's count, and whether it is all there is."""
        if self._request == 0:
            # Nothing asked yet (the app is still connecting): no count is known,
            # and "0 repositories" would say there are none.
            self.border_subtitle = ""
            return
        # Rows folded away (see VirtualTable.set_hidden) are not counted: nothing filters them.
        shown, total = len(self.table.rows), self.table.total_rows - self.table.hidden_rows
        failed = self.failure is not None
        if failed and not total:
            parts = ["listing failed"]  # no count: none is known
        else:
            # A listing that failed part-way holds more than it shows.
            known = f"{total:,}+" if failed else f"{total:,}"
            count = f"{shown:,} of {known}" if shown != total else known
            parts = [f"{count} {self.noun_one if total == 1 else self.noun}"]
            if failed:
                parts.append("partial: listing failed")
        if self._loading:
            parts.append("loading…")
        if self.filter_box.value:
            parts.append(f"filter: {self.filter_box.value}")
        if self.table.marked_rows:
            parts.append(f"{len(self.table.marked_rows)} marked")
        if failed:
            parts.append("r retry")
        self.border_subtitle = " · ".join(parts)

    noun = "rows"
    noun_one = "row"  # (one of them: "1 row")

    def follow_later(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the cursor has rested for FOLLOW_DELAY."""
        if self._follow_timer is not None:
            self._follow_timer.stop()
        self._follow_timer = self.set_timer(FOLLOW_DELAY, callback)

    def cancel_follow(self) -> None:
        """Forget a pending follow (the user chose explicitly)."""
        if self._follow_timer is not None:
            self._follow_timer.stop()
            self._follow_timer = None

    # -- filtering --------------------------------------------------------------

    def clear_filter(self) -> None:
        """Show every row again, and close the filter box."""
        self.filter_box.value = ""
        self.filter_box.display = False
        self.table.set_filter("")
        self.refresh_subtitle()

    def set_filter(self, text: str) -> None:
        """Filter the rows by `text` (the box shows it; closed when empty)."""
        self.filter_box.value = text
        self.filter_box.display = bool(text)
        self.table.set_filter(text)
        self.refresh_subtitle()

    def filter_changed(self) -> None:
        """The border's count says how many rows the filter left, and the filter."""
        self.refresh_subtitle()

    def forget(self, why: str) -> None:
        """Show no rows, and drop the pages still coming: another context's must not
        show. The table says `why` until something loads."""
        self.cancel_follow()
        self.forget_wanted()
        self._next_request()
        self._loading_over()
        self.table.empty_text = why
        self.table.refresh()
        self.set_info("")
        self.refresh_subtitle()
