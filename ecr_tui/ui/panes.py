"""The three panes: repositories, the images of one repository, one image's findings.

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

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import Worker, WorkerState, get_current_worker

from ecr_tui.core.errors import explain_error
from ecr_tui.core.models import Finding, Image, Repository, ScanReport, ScanState, Severity
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.format import (
    SCAN_STYLE_NAME,
    SEVERITY_STYLE_NAME,
    Palette,
    absolute_time,
    human_size,
    relative_time,
    severity_counts_text,
    severity_summary_text,
    short_date,
)
from ecr_tui.ui.table.filter_box import FilterBox
from ecr_tui.ui.table.widget import Cell, Column, VirtualTable

# How long the cursor must rest on a row before the next pane loads it: long
# enough that holding j does not fire a request per row, short enough to feel
# instant.
FOLLOW_DELAY = 0.12
# How often pages of a long listing are handed to the table while it loads. Each
# batch costs a merge and a repaint; at 0.25 s they held up keys (benchmark p99
# 50-80 ms against 35-56 ms at 0.5 s, same machine, same hour).
PAGE_BATCH_SECONDS = 0.5
# Keys first: while the user moves through a loading table, gathered pages wait
# for the keys to pause (table.KEYS_PAUSE_SECONDS), for at most
# PAGES_WAIT_SECONDS. Fewer merges then compete with keys, and rows do not shift
# under the cursor mid-burst.
PAGES_WAIT_SECONDS = 2.0
# How often the count in a loading pane's border changes (it repaints the whole frame).
LOADING_COUNT_SECONDS = 1.0
# How long the last image's findings stay while the next image's are fetched
# (usually tens of milliseconds): a quick answer then repaints the pane once, not
# twice (cleared, then filled), and keys pressed meanwhile wait for one frame.
FINDINGS_STAY_SECONDS = 0.2
# How often a scan in progress is asked about again.
SCAN_POLL_SECONDS = 5.0


class InfoLines(Widget):
    """A few lines of text under a table, each cut to the width with an ellipsis.

    What a Static did, without Textual's content pipeline: the Static ran the text
    through it again at every cursor move, a third of the cost of that frame.
    """

    def __init__(self, *, classes: str) -> None:
        super().__init__(classes=classes)
        self._text = Text()
        self._strips: list[Strip] = []
        self._drawn_for: tuple[int, Style] | None = None  # the width and style of _strips
        self._style: Style | None = None

    @property
    def text(self) -> Text:
        """What the lines show."""
        return self._text

    def update(self, text: Text | str) -> None:
        """Show `text`, one line per line of it."""
        self._text = text if isinstance(text, Text) else Text(text)
        self._drawn_for = None
        self.refresh()

    def notify_style_update(self) -> None:
        """The theme or CSS changed: read our style again."""
        self._style = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        """Line `y` of the text, cut and padded to the width."""
        width = self.content_size.width
        if self._style is None:
            self._style = self.rich_style  # walks every ancestor: once per style change
        style = self._style
        if self._drawn_for != (width, style):
            self._drawn_for = (width, style)
            console = self.app.console
            self._strips = []
            for line in self._text.split("\n", allow_blank=True):
                line.no_wrap = True
                line.truncate(width, overflow="ellipsis")
                strip = Strip(line.render(console)).apply_style(style)
                self._strips.append(strip.extend_cell_length(width, style))
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, style)


class Pane(Vertical):
    """A bordered pane: a table, a filter box that `/` opens, and an info line."""

    ALLOW_MAXIMIZE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the app runs it as `/` arrives, before it routes the next key. A
        # plain binding runs only once `/` has bubbled up from the table, and keys
        # sent in the same burst (a paste, a slow link) have gone to the table by then.
        Binding("slash", "open_filter", "Filter", id="pane.filter", priority=True),
    ]

    class Loaded(Message):
        """A page of rows for the question `request` (stale pages are dropped).

        `texts` are the rows' search texts, when the loading worker worked them out.
        """

        def __init__(
            self, request: int, rows: Sequence[Any], done: bool, texts: list[str] | None = None
        ) -> None:
            super().__init__()
            self.request = request
            self.rows = rows
            self.done = done
            self.texts = texts

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self.reader: Reader | None = None
        self.table = self.make_table()
        self.filter_box = FilterBox(self.table)
        self.info = InfoLines(classes="info")
        self.table.highlight_hook = self.show_info
        self._request = 0
        self._loading = False
        self._follow_timer: Timer | None = None
        self._wanted: Callable[[Any], bool] | None = None
        # Pages that arrived since the table last took rows (see on_pane_loaded).
        self._pending: list[Any] = []
        self._pending_texts: list[str] = []
        self._pending_since = 0.0  # when the oldest of the pending pages came
        self._all_arrived = False  # the last page of the current request came
        self._count_shown_at = 0.0
        self._flush_lock = asyncio.Lock()
        self._flush_timer: Timer | None = None

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

    def set_info(self, text: Text | str) -> None:
        """Show `text` under the table (its lines have a fixed height: see app.tcss)."""
        self.info.update(text)

    def _next_request(self, *, keep_showing: bool = False) -> int:
        """A new question: the last one's pages are dropped, and (unless
        `keep_showing`) its rows at once."""
        self._request += 1
        self._loading = True
        self._all_arrived = False
        self._count_shown_at = 0.0
        self._take_pending()
        if not keep_showing:
            self.table.clear()
            self.refresh_subtitle()
        return self._request

    def post_page(self, request: int, page: Sequence[Any]) -> None:
        """From a loading worker: a page, with its search texts worked out here.

        Lower-casing and joining 100,000 rows' texts is a few milliseconds a page of
        Python: in the worker it shares the GIL in slices, instead of holding the UI
        thread (and the keys pressed meanwhile) for the whole batch.
        """
        texts = self.table.search_texts(page)
        # Rows live as long as the pane shows them: out of the collector's sight at
        # once (a refcount still frees them), so that its young collections, which
        # pause every thread, do not walk each page's thousands of tuples.
        gc.freeze()
        self.post_message(self.Loaded(request, page, False, texts))

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
        self.table.extend(rows, texts, stay_at_top=self._wanted is None)
        self._select_wanted()
        self._count_shown_at = time.monotonic()
        self.refresh_subtitle()

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
                # Until the user moves it, the cursor stays on the first row (the newest
                # image) rather than on whichever row happened to arrive first.
                await self.table.extend_in_steps(rows, texts, stay_at_top=self._wanted is None)
                if request != self._request:
                    return
                self._select_wanted()
            if self._all_arrived and not self._pending and self._loading:
                self._wanted = None
                self._loading = False
                self.table.empty_text = self.empty_text()
                self.table.refresh()
            # A new count repaints the pane's whole frame: while pages arrive, once
            # a LOADING_COUNT_SECONDS shows the progress.
            now = time.monotonic()
            if not self._loading or now - self._count_shown_at >= LOADING_COUNT_SECONDS:
                self._count_shown_at = now
                self.refresh_subtitle()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed load leaves a readable reason in the pane (the app notifies)."""
        if event.state is WorkerState.ERROR and event.worker.group == self.id:
            self._loading = False
            problem = explain_error(event.worker.error or Exception("unknown failure"))
            self.table.empty_text = f"{problem.title}. Press r to retry."
            self.table.refresh()
            self.refresh_subtitle()
            # State changes do not bubble: hand the failure to the app's one handler.
            self.app.post_message(Worker.StateChanged(event.worker, event.state))

    def select_when_loaded(self, wanted: Callable[[Any], bool]) -> None:
        """Put the cursor on the first row matching `wanted`, now or when it arrives."""
        self._wanted = wanted
        self._select_wanted()

    def _select_wanted(self) -> None:
        if self._wanted is None:
            return
        row = next((row for row in self.table.rows if self._wanted(row)), None)
        if row is not None:
            self._wanted = None
            self.table.move_to(row)

    def empty_text(self) -> str:
        """What an empty table says once loading is over."""
        return "Nothing here."

    def refresh_subtitle(self) -> None:
        shown, total = len(self.table.rows), self.table.total_rows
        count = f"{shown:,} of {total:,}" if shown != total else f"{total:,}"
        parts = [f"{count} {self.noun}"]
        if self._loading:
            parts.append("loading…")
        if self.filter_box.value:
            parts.append(f"filter: {self.filter_box.value}")
        if self.table.marked_rows:
            parts.append(f"{len(self.table.marked_rows)} marked")
        self.border_subtitle = " · ".join(parts)

    noun = "rows"

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In the filter box `/` is typed, not bound (Textual does not see it as text).

        Asks the screen, not `has_focus`: that flag follows only once the box has
        handled its Focus event, after the rest of a burst has been routed.
        """
        return not (action == "open_filter" and self.screen.focused is self.filter_box)

    def action_open_filter(self) -> None:
        """Show the filter box and type into it."""
        self.filter_box.display = True
        # Focus at once, not on the next loop turn (as `focus()` does): keys pasted
        # or sent in one burst after `/` must land in the box, not in the table.
        self.screen.set_focus(self.filter_box)

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value)
        self.refresh_subtitle()


class RepositoriesPane(Pane):
    """Every repository of the registry, sorted by name."""

    # Administration runs in the app (`ecr_tui.ui.admin_actions`); the keys live here
    # so that they work where the repository is chosen.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "app.create_repository", "New repo", id="repositories.create"),
        Binding("D", "app.delete_repository", "Delete repo", show=False, id="repositories.delete"),
        Binding(
            "M", "app.toggle_mutability", "Tag mutability", show=False, id="repositories.mutability"
        ),
        Binding("S", "app.toggle_scan_on_push", "Scan on push", show=False, id="repositories.scan"),
        Binding("e", "app.edit_policy", "Repository policy", show=False, id="repositories.policy"),
        Binding(
            "E", "app.edit_lifecycle", "Lifecycle policy", show=False, id="repositories.lifecycle"
        ),
        Binding("i", "app.iam_policies", "IAM policies", show=False, id="repositories.iam"),
    ]

    noun = "repositories"

    class Chosen(Message):
        """The user settled on a repository (cursor rested, or enter)."""

        def __init__(self, repository: Repository, drill_in: bool) -> None:
            super().__init__()
            self.repository = repository
            self.drill_in = drill_in

    def make_table(self) -> VirtualTable[Any]:
        """Name, then the settings that matter when pushing."""
        table: VirtualTable[Repository] = VirtualTable(
            [
                Column("Repository", 26, flexible=True),
                Column("Tags", 9),
                Column("Scan", 7),
                Column("Crypto", 6),
                Column("Created", 10),
                Column("URI", 60),
            ],
            render_repository,
            lambda repo: repo.name,
            empty_text="Loading repositories…",
            id="repositories-table",
        )
        table.set_sort(lambda repo: repo.name)
        table.opens_into = lambda: self.app.query_one("#images-table", VirtualTable)
        return table

    def load(self, reader: Reader) -> None:
        """Read every repository, page by page."""
        self.reader = reader
        self._fetch(reader, self._next_request())

    def reload(self) -> None:
        """Read the list again and come back to the same repository."""
        current: Repository | None = self.table.current_row
        if self.reader is None:
            return
        self.load(self.reader)
        if current is not None:
            self.select_when_loaded(lambda repo: repo.name == current.name)

    @work(thread=True, exclusive=True, group="repositories", exit_on_error=False)
    def _fetch(self, reader: Reader, request: int) -> None:
        worker = get_current_worker()
        for page in reader.repository_pages(lambda: worker.is_cancelled):
            self.post_page(request, page)
        self.post_message(self.Loaded(request, [], done=True))

    def empty_text(self) -> str:
        """An empty registry is a normal state, not an error."""
        return "No repositories in this registry/region."

    def show_info(self, repository: Repository | None) -> None:
        """The highlighted repository in full."""
        self.set_info(repository_info(repository) if repository else "")

    @on(VirtualTable.RowHighlighted, "#repositories-table")
    def _highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        event.stop()
        repository: Repository | None = event.row
        if repository is not None:
            self.follow_later(lambda: self.post_message(self.Chosen(repository, False)))

    @on(VirtualTable.RowSelected, "#repositories-table")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.cancel_follow()
        self.post_message(self.Chosen(event.row, True))


def render_repository(repo: Repository, palette: Palette) -> list[Cell]:
    """One repository row."""
    immutable = repo.tag_mutability.startswith("IMMUTABLE")
    return [
        repo.name,
        Text(repo.tag_mutability.split("_")[0], palette("ok") if immutable else ""),
        Text("on push", palette("ok")) if repo.scan_on_push else Text("manual", palette("muted")),
        repo.encryption,
        short_date(repo.created_at),
        repo.uri,
    ]


def repository_info(repo: Repository) -> Text:
    """The highlighted repository in full, for narrow terminals."""
    mutability = repo.tag_mutability.replace("_", " ").lower()
    scan = "scan on push" if repo.scan_on_push else "manual scans"
    encryption = f"KMS {repo.kms_key}" if repo.kms_key else repo.encryption
    return Text.assemble(
        f"{mutability} · {scan} · {encryption} · created {short_date(repo.created_at)}\n",
        (repo.uri, "bold"),
    )


# How the images pane can be ordered: label, key, newest/biggest/worst first.
IMAGE_SORTS: tuple[tuple[str, Callable[[Image], Any]], ...] = (
    ("pushed", lambda image: image.pushed_seconds or 0.0),
    ("size", lambda image: image.size_bytes or 0),
    ("severity", lambda image: image.severity_row),
)


class ImagesPane(Pane):
    """The images of one repository: tags, digest, age, size and scan results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "cycle_sort", "Sort", id="images.sort"),
        Binding("o", "flip_order", "Order", show=False, id="images.order"),
        Binding("escape", "back", "Back", show=False, id="images.back"),
        Binding("space", "app.mark_image", "Mark", show=False, id="images.mark"),
        Binding("d", "app.delete_images", "Delete", show=False, id="images.delete"),
        Binding("S", "app.scan_image", "Scan", show=False, id="images.scan"),
        Binding("p", "image_action('pull')", "Pull", show=False, id="docker.pull"),
        Binding("t", "image_action('retag')", "Add a tag", show=False, id="images.retag"),
        Binding("c", "image_action('copy_uri')", "Copy URI", show=False, id="images.copy_uri"),
        Binding(
            "C",
            "image_action('copy_digest_uri')",
            "Copy digest URI",
            show=False,
            id="images.copy_digest_uri",
        ),
        Binding(
            "y",
            "image_action('copy_pull_command')",
            "Copy docker pull",
            show=False,
            id="images.copy_pull_command",
        ),
    ]

    noun = "images"

    class Chosen(Message):
        """The user settled on an image."""

        def __init__(self, image: Image | None, drill_in: bool) -> None:
            super().__init__()
            self.image = image
            self.drill_in = drill_in

    class ImageAction(Message):
        """The user asked for something done with the image under the cursor.

        `action` is "pull", "retag", "copy_uri", "copy_digest_uri" or
        "copy_pull_command"; the app does it (Docker, ECR or the clipboard).
        """

        def __init__(self, action: str, repository: Repository, image: Image) -> None:
            super().__init__()
            self.action = action
            self.repository = repository
            self.image = image

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(title, id=id)
        self.repository: Repository | None = None
        self._sort_index = 0
        self._newest_first = True

    def make_table(self) -> VirtualTable[Any]:
        """Tags first; digest, age, size and scan result after."""
        table: VirtualTable[Image] = VirtualTable(
            [
                Column("Tags", 16, flexible=True),
                Column("Pushed", 7),
                Column("Size", 9, align="right"),
                Column("Scan", 16),
                Column("Digest", 12),
                Column("Pulled", 7),
            ],
            render_image,
            lambda image: " ".join((*image.tags, image.digest)),
            empty_text="Choose a repository.",
            id="images-table",
        )
        table.set_sort(IMAGE_SORTS[0][1], reverse=True)
        table.opens_into = lambda: self.app.query_one("#findings-table", VirtualTable)
        return table

    def show(self, reader: Reader, repository: Repository, force: bool = False) -> None:
        """Load `repository`'s images unless they are already shown."""
        if not force and self.repository == repository and self.reader is reader:
            return
        current: Image | None = self.table.current_row
        same_repository = self.repository is not None and self.repository.name == repository.name
        self.reader, self.repository = reader, repository
        self.border_title = f"Images · {repository.name}"
        self.table.empty_text = "Loading images…"
        self._fetch(reader, repository.name, self._next_request())
        if current is not None and same_repository:
            self.select_when_loaded(lambda image: image.digest == current.digest)

    @work(thread=True, exclusive=True, group="images", exit_on_error=False)
    def _fetch(self, reader: Reader, repository: str, request: int) -> None:
        worker = get_current_worker()
        for page in reader.image_pages(repository, lambda: worker.is_cancelled):
            self.post_page(request, page)
        self.post_message(self.Loaded(request, [], done=True))

    def empty_text(self) -> str:
        """An empty repository says how to fill it."""
        return "No images yet: push one to this repository."

    def action_cycle_sort(self) -> None:
        """Sort by pushed time, then size, then severity."""
        self._sort_index = (self._sort_index + 1) % len(IMAGE_SORTS)
        self._apply_sort()

    def action_flip_order(self) -> None:
        """Reverse the order."""
        self._newest_first = not self._newest_first
        self._apply_sort()

    def _apply_sort(self) -> None:
        label, key = IMAGE_SORTS[self._sort_index]
        self.table.set_sort(key, reverse=self._newest_first)
        arrow = "↓" if self._newest_first else "↑"
        self.notify(f"Images sorted by {label} {arrow}", timeout=2)

    def action_back(self) -> None:
        """Back to the repositories."""
        self.app.query_one("#repositories-table").focus()

    def action_image_action(self, action: str) -> None:
        """Ask the app to pull, retag or copy the image under the cursor."""
        image: Image | None = self.table.current_row
        if image is None or self.repository is None:
            self.notify("Choose an image first.", timeout=3)
            return
        self.post_message(self.ImageAction(action, self.repository, image))

    def show_info(self, image: Image | None) -> None:
        """The highlighted image in full."""
        self.set_info(image_info(image) if image else "")

    @on(VirtualTable.RowHighlighted, "#images-table")
    def _highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        event.stop()
        image: Image | None = event.row
        self.follow_later(lambda: self.post_message(self.Chosen(image, False)))

    @on(VirtualTable.RowSelected, "#images-table")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.cancel_follow()
        self.post_message(self.Chosen(event.row, True))


def render_image(image: Image, palette: Palette) -> list[Cell]:
    """One image row."""
    tags = ", ".join(image.tags) if image.tags else Text("<untagged>", palette("muted"))
    return [
        tags,
        relative_time(image.pushed_at).removesuffix(" ago"),
        human_size(image.size_bytes),
        scan_cell(image, palette),
        image.short_digest,
        relative_time(image.last_pulled_at).removesuffix(" ago"),
    ]


def scan_cell(image: Image, palette: Palette) -> Text:
    """Severity counts once a scan has results, else where the scan stands."""
    if image.scan_state is ScanState.COMPLETE:
        if image.severity_counts.total:
            return severity_counts_text(image.severity_counts, palette)
        return Text("clean", palette("ok"))
    return Text(image.scan_state.value, palette(SCAN_STYLE_NAME[image.scan_state]))


def image_info(image: Image) -> Text:
    """The highlighted image in full: digest, exact times, size."""
    pushed = f"pushed {absolute_time(image.pushed_at)} ({relative_time(image.pushed_at)})"
    pulled = (
        f"last pulled {relative_time(image.last_pulled_at)}"
        if image.last_pulled_at
        else "never pulled"
    )
    return Text.assemble(
        f"{pushed} · {human_size(image.size_bytes)} · {pulled}\n",
        (image.digest, "bold"),
    )


# Minimum severities `m` steps through.
MIN_SEVERITIES = (
    Severity.UNDEFINED,
    Severity.LOW,
    Severity.MEDIUM,
    Severity.HIGH,
    Severity.CRITICAL,
)


class FindingsPane(Pane):
    """The scan findings of one image, worst first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "cycle_min_severity", "Min severity", id="findings.min_severity"),
        Binding("escape", "back", "Back", show=False, id="findings.back"),
    ]

    noun = "findings"

    class OpenFinding(Message):
        """The user asked for a finding's details."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(title, id=id)
        self.image: Image | None = None
        self.report: ScanReport | None = None
        self.min_severity = Severity.UNDEFINED
        self._poll: Timer | None = None
        self._placeholder: Timer | None = None

    def compose(self) -> ComposeResult:
        """A summary line above the table."""
        self.summary = InfoLines(classes="summary")
        yield self.summary
        yield from super().compose()

    def make_table(self) -> VirtualTable[Any]:
        """Severity, id, package, versions, score."""
        return VirtualTable(
            [
                Column("Severity", 8),
                Column("Score", 5, align="right"),
                Column("Vulnerability", 16),
                Column("Package", 12, flexible=True),
                Column("Installed", 14),
                Column("Fixed in", 14),
            ],
            render_finding,
            lambda f: f"{f.name} {f.package} {f.severity.name} {f.package_version}",
            empty_text="Choose an image.",
            id="findings-table",
        )

    def show(self, reader: Reader, image: Image | None, force: bool = False) -> None:
        """Show `image`'s findings, fetching them only when a scan has results."""
        if not force and image == self.image and self.reader is reader:
            return
        self.reader, self.image, self.report = reader, image, None
        self._stop_polling()
        self._stop_placeholder()
        if image is None:
            self._next_request()
            self._loading = False
            self.summary.update("")
            self.table.empty_text = "Choose an image."
            self.refresh_subtitle()
            return
        if image.scan_state is ScanState.NOT_SCANNED:
            self._next_request()
            self._loading = False
            self._show_title()
            self.summary.update(Text("Not scanned.", self.table.palette("muted")))
            self.table.empty_text = "This image has never been scanned."
            self.refresh_subtitle()
            return
        request = self._next_request(keep_showing=True)
        self._placeholder = self.set_timer(FINDINGS_STAY_SECONDS, self._show_placeholder)
        self._fetch(reader, image, request)

    def _show_title(self) -> None:
        image = self.image
        label = (image.tags[0] if image.tags else image.short_digest) if image else ""
        self.border_title = f"Findings · {label}" if label else "Findings"

    def _show_placeholder(self) -> None:
        """The findings are slow to come: say so instead of the last image's."""
        self._placeholder = None
        wait = self._images_rest_in()
        if wait > 0:  # as in _show_report
            self._placeholder = self.set_timer(wait, self._show_placeholder)
            return
        self.table.clear()
        self._show_title()
        self.summary.update("Loading findings…")
        self.table.empty_text = "Loading findings…"
        self.refresh_subtitle()

    def _stop_placeholder(self) -> None:
        if self._placeholder is not None:
            self._placeholder.stop()
            self._placeholder = None

    @work(thread=True, exclusive=True, group="findings", exit_on_error=False)
    def _fetch(self, reader: Reader, image: Image, request: int) -> None:
        worker = get_current_worker()
        report = reader.scan_report(image, lambda: worker.is_cancelled)
        self.post_message(self.Loaded(request, [report], done=True))

    def on_pane_loaded(self, message: Pane.Loaded) -> None:
        """Findings arrive as one report: summary first, then rows."""
        message.stop()
        message.prevent_default()  # Textual would run Pane's handler as well
        if message.rows:
            self._show_report(message.request, message.rows[0])

    def _images_rest_in(self) -> float:
        """Seconds until the images cursor has rested FOLLOW_DELAY (0 or less: it has)."""
        images: VirtualTable[Any] = self.app.query_one("#images-table", VirtualTable)
        return images.keys_pause_in(FOLLOW_DELAY)

    def _show_report(self, request: int, report: ScanReport) -> None:
        if request != self._request:
            return  # asked about another image since
        self._stop_placeholder()  # the answer is here: no "Loading findings…" now
        # Keys first: while the images cursor moves on, the report waits for it to rest
        # (and if it rests on another image, that one is asked about and this dropped).
        # Painted meanwhile, it was a 15 ms frame that the next key waited for.
        wait = self._images_rest_in()
        if wait > 0:
            self.set_timer(wait, lambda: self._show_report(request, report))
            return
        self.report = report
        self._loading = False
        self._show_title()
        # One fixed line: no need to lay the screen out again.
        self.summary.update(scan_summary(report, self.table.palette))
        self.table.empty_text = scan_empty_text(report)
        self._apply_min_severity()
        if report.state is ScanState.IN_PROGRESS and self.reader and self.image:
            self._poll = self.set_timer(SCAN_POLL_SECONDS, self._poll_again)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed fetch must not leave the last image's findings in view.

        (Textual then runs Pane's handler too, which says why in the table.)
        """
        if event.state is WorkerState.ERROR and event.worker.group == self.id:
            self._stop_placeholder()
            self.table.clear()
            self._show_title()
            self.summary.update("")

    def _poll_again(self) -> None:
        if self.reader is not None and self.image is not None:
            self._fetch(self.reader, self.image, self._request)

    def _stop_polling(self) -> None:
        if self._poll is not None:
            self._poll.stop()
            self._poll = None

    def action_cycle_min_severity(self) -> None:
        """Hide findings below LOW, MEDIUM, HIGH, CRITICAL in turn."""
        index = MIN_SEVERITIES.index(self.min_severity)
        self.min_severity = MIN_SEVERITIES[(index + 1) % len(MIN_SEVERITIES)]
        self._apply_min_severity()
        shown = "all" if self.min_severity is Severity.UNDEFINED else self.min_severity.name
        self.notify(f"Findings: {shown.lower()} and worse", timeout=2)

    def _apply_min_severity(self) -> None:
        findings = self.report.findings if self.report else ()
        self.table.set_rows(f for f in findings if f.severity >= self.min_severity)
        self.refresh_subtitle()

    def refresh_subtitle(self) -> None:
        super().refresh_subtitle()
        if self.min_severity is not Severity.UNDEFINED:
            self.border_subtitle = f"{self.border_subtitle} · ≥ {self.min_severity.name.lower()}"

    def action_back(self) -> None:
        """Back to the images."""
        self.app.query_one("#images-table").focus()

    @on(VirtualTable.RowSelected, "#findings-table")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.OpenFinding(event.row))

    @on(VirtualTable.RowHighlighted, "#findings-table")
    def _highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        event.stop()

    def show_info(self, finding: Finding | None) -> None:
        """The highlighted finding's link."""
        self.set_info(Text(finding.uri or finding.name) if finding else "")


def render_finding(finding: Finding, palette: Palette) -> list[Cell]:
    """One finding row."""
    return [
        Text(finding.severity.name.title(), palette(SEVERITY_STYLE_NAME[finding.severity])),
        f"{finding.score:.1f}" if finding.score is not None else "",
        finding.name,
        finding.package,
        finding.package_version,
        Text(finding.fixed_in) if finding.fixed_in else Text("none", palette("muted")),
    ]


def scan_summary(report: ScanReport, palette: Palette) -> Text:
    """The line above the findings: state, counts, when."""
    if report.state is ScanState.COMPLETE:
        text = severity_summary_text(report.summary, palette)
        if report.completed_at:
            text.append(f"  scanned {relative_time(report.completed_at)}", palette("muted"))
        return text
    style = palette(SCAN_STYLE_NAME[report.state])
    return Text(f"{_SCAN_HEADLINE[report.state]} {report.description}".strip(), style)


_SCAN_HEADLINE = {
    ScanState.IN_PROGRESS: "Scan in progress.",
    ScanState.FAILED: "Scan failed.",
    ScanState.NOT_SCANNED: "Not scanned.",
    ScanState.UNSUPPORTED: "Scan unsupported.",
    ScanState.FINDINGS_UNAVAILABLE: "Findings unavailable.",
}


def scan_empty_text(report: ScanReport) -> str:
    """What the table says when it has no finding to list."""
    return {
        ScanState.COMPLETE: "No findings: nothing known to be vulnerable.",
        ScanState.IN_PROGRESS: "Scan in progress: findings appear here when it completes.",
        ScanState.FAILED: f"Scan failed. {report.description}",
        ScanState.NOT_SCANNED: "This image has never been scanned.",
        ScanState.UNSUPPORTED: f"ECR cannot scan this image. {report.description}",
        ScanState.FINDINGS_UNAVAILABLE: f"Findings unavailable. {report.description}",
    }[report.state]
