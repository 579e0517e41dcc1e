"""The images pane: the images of one repository, how they sort, and the actions on one.

It never describes an image of another repository, or another image than the one
asked for: while a listing starts, comes back empty, or is searched for the image
a go-to (or a refresh) wants, the info lines and the findings pane say so instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import get_current_worker

from ecr_tui.core.errors import Problem
from ecr_tui.core.models import SEVERITIES_WORST_FIRST, Image, Repository, ScanReport, ScanState
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.format import (
    SCAN_STYLE_NAME,
    Palette,
    absolute_time,
    human_size,
    relative_time,
    severity_counts_text,
    short_age,
)
from ecr_tui.ui.panes.base import Pane
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.table.cells import Cell
from ecr_tui.ui.table.columns import Column
from ecr_tui.ui.table.widget import VirtualTable

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
    # Every tag of the highlighted image, however many: the column shows the first few.
    info_wraps_first_line = True
    info_least_lines = 3  # tags, times, digest

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
        # What the info lines say while no image is highlighted.
        self._no_image_text = ""
        # The image a go-to or a refresh waits for (its tag or digest), while it waits.
        self.looking_for: str | None = None
        self._announce_looking = False

    def make_table(self) -> VirtualTable[Any]:
        """Tags first; digest, age, size and scan result after."""
        table: VirtualTable[Image] = VirtualTable(
            [
                Column("Tags", 10, flexible=True),
                Column("Pushed", 6),
                Column("Size", 9, align="right"),
                Column("Scan", SCAN_WIDTH),
                Column("Digest", 12),
                Column("Pulled", 6),
            ],
            render_image,
            lambda image: " ".join((*image.tags, image.digest)),
            empty_text="Choose a repository.",
            id="images-table",
        )
        table.set_sort(IMAGE_SORTS[0][1], reverse=True)
        table.opens_into = lambda: self.screen.query_one("#findings-table", VirtualTable)
        return table

    def show(self, reader: Reader, repository: Repository, force: bool = False) -> None:
        """Load `repository`'s images unless they are already shown.

        Loading the same repository again keeps the cursor on its image, or on the
        image a go-to still waits for.
        """
        if not force and self.repository == repository and self.reader is reader:
            return
        current: Image | None = self.table.current_row
        same_repository = self.repository is not None and self.repository.name == repository.name
        self.reader, self.repository = reader, repository
        self.border_title = f"Images · {repository.name}"
        self.table.empty_text = "Loading images…"
        if not same_repository:
            self._stop_looking()
        self.current_load = self._fetch(reader, repository.name, self._next_request())
        if not same_repository or (current is None and self._no_image_text):
            # Nor does the reason the last listing gave for showing no image stay.
            self.clear_image(f"Loading images of {repository.name}…")
        elif current is not None and self.looking_for is None:
            # The findings pane shows this image already: only the info lines wait.
            self.select_when_loaded(
                lambda image: image.digest == current.digest, image_label(current)
            )

    def go_to(
        self, reader: Reader, repository: Repository, wanted: Callable[[Image], bool], label: str
    ) -> None:
        """Open `repository` with the cursor on the image `wanted` accepts, on whichever
        page it comes; until it comes, say that it is looked for, not another image."""
        self.clear_filter()  # the image asked for must not be filtered out
        self.show(reader, repository)
        self.select_when_loaded(wanted, label, announce=True)

    def select_when_loaded(
        self, wanted: Callable[[Any], bool], label: str = "the image", *, announce: bool = False
    ) -> None:
        """Put the cursor on the image `wanted` accepts, now or when its page comes.

        Meanwhile the cursor rests on whatever row came first: the info lines say
        which image is looked for, and the findings pane does not follow the cursor.
        With `announce`, the findings pane says so too, and a listing that ends
        without the image says it was not found.
        """
        self._stop_looking()
        self.looking_for = label
        self._announce_looking = announce
        super().select_when_loaded(wanted)
        if self.looking_for is None:
            return  # found at once
        if not self.is_loading:
            self.listing_ended()  # the listing is all here, and has no such image
            return
        why = f"Looking for {label} in {self.repository.name if self.repository else '…'}…"
        self.set_info(Text(why, self.table.palette("muted")))
        if announce:
            self.clear_image(why)
        else:
            self.cancel_follow()

    def _stop_looking(self) -> None:
        self.looking_for = None
        self.forget_wanted()

    def _still_looking(self) -> bool:
        """True while waiting for an image; a key that moved the cursor since ends it."""
        if self.looking_for is not None and self.table.moved_at > self.wanted_since:
            self._stop_looking()  # the user leads now
        return self.looking_for is not None

    def wanted_selected(self, row: Any) -> None:
        """The image looked for is under the cursor: describe it, and follow it."""
        self.looking_for = None
        self._follow_cursor()

    def first_rows_shown(self) -> None:
        """The line saying why no image was shown (a failure, an empty listing) goes:
        the cursor is on an image now. The cursor does not move for it, so no
        highlight would say so."""
        if self._no_image_text and not self._still_looking():
            self._no_image_text = ""
            self._follow_cursor()

    def listing_ended(self) -> None:
        """Say that the image looked for is not there, or that there is no image at all."""
        missed = self.looking_for
        announce = self._announce_looking
        super().listing_ended()
        self.looking_for = None
        name = self.repository.name if self.repository else ""
        if missed is not None and announce:
            self.notify(
                f"No image {missed} in {name}: the cursor stays where it was.",
                title="Image not found",
                severity="warning",
            )
        if not self.table.total_rows:
            self.clear_image(f"No images in {name}.")
            return
        self._no_image_text = ""  # (only a filter can leave no image highlighted now)
        if missed is not None:
            self._follow_cursor()

    def _follow_cursor(self) -> None:
        """Describe the image under the cursor, and have the findings pane follow it."""
        self.show_info(self.table.current_row)
        self.follow_later(self._post_current)

    def _post_current(self) -> None:
        self.post_message(self.Chosen(self.table.current_row, False))

    def load_failed(self, problem: Problem) -> None:
        """Without images listed, no image's findings stay in view."""
        if not (self.table.total_rows or self._pending):
            self.clear_image(f"{problem.title}: {problem.detail}")

    def clear_image(self, why: str) -> None:
        """Show no image: `why` under the table and in the findings pane, and nothing
        of the image shown before (a listing that starts, comes back empty, or fails)."""
        self.cancel_follow()
        self._no_image_text = why
        self.set_info(Text(why, self.table.palette("muted")))
        # At once, not by a message through the app: behind a page of rows that took a
        # tenth of a second, while the findings of the image before passed for current.
        self.screen.query_one(FindingsPane).show_nothing(why)

    def update_scan(self, image: Image, report: ScanReport) -> None:
        """`image`'s scan report came: its row says the same (scanning → counts), in place."""
        if (image.repository, image.digest) != (report.repository, report.digest):
            return
        scanned = with_scan(image, report)
        if scanned is image or self.table.replace_row(image, scanned):
            return  # nothing new (most reports), or shown now
        # A reload since brought another record of it: that one, if still shown.
        shown = self.table.find_row(lambda row: row.digest == image.digest)
        if shown is not None and shown.repository == image.repository:
            scanned = with_scan(shown, report)
            if scanned is not shown:
                self.table.replace_row(shown, scanned)

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
        self.screen.query_one("#repositories-table").focus()

    def action_image_action(self, action: str) -> None:
        """Ask the app to pull, retag or copy the image under the cursor."""
        image: Image | None = self.table.current_row
        if image is None or self.repository is None:
            self.notify("Choose an image first.", timeout=3)
            return
        self.post_message(self.ImageAction(action, self.repository, image))

    def show_info(self, image: Image | None) -> None:
        """The highlighted image in full (or what is looked for, or why there is none)."""
        if self._still_looking():
            return  # the line says which image is looked for
        if image is not None:
            full, *shorter = image_info(image)
            self.set_info(full, shorter)
        else:
            self.set_info(Text(self._no_image_text, self.table.palette("muted")))

    @on(VirtualTable.RowHighlighted, "#images-table")
    def _highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        event.stop()
        if self._still_looking():
            return  # a page moved the cursor, not the user: not the image asked for
        # The row under the cursor when it has rested, not the one it passed.
        self.follow_later(self._post_current)

    @on(VirtualTable.RowSelected, "#images-table")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.cancel_follow()
        if self.looking_for is not None:  # the user chose this one: wait no more
            self._stop_looking()
            self.show_info(event.row)
        self.post_message(self.Chosen(event.row, True))


def render_image(image: Image, palette: Palette) -> list[Cell]:
    """One image row."""
    tags = ", ".join(image.tags) if image.tags else Text("<untagged>", palette("muted"))
    return [
        tags,
        short_age(image.pushed_at),
        human_size(image.size_bytes),
        scan_cell(image, palette),
        image.short_digest,
        short_age(image.last_pulled_at),
    ]


# "C2 H10 M26 L17" whole; more severities than fit end in "+N" (see severity_counts_text).
SCAN_WIDTH = 16


def scan_cell(image: Image, palette: Palette) -> Text:
    """Severity counts once a scan has results, else where the scan stands."""
    if image.scan_state is ScanState.COMPLETE:
        if image.severity_counts.total:
            return severity_counts_text(image.severity_counts, palette, SCAN_WIDTH)
        return Text("clean", palette("ok"))
    return Text(image.scan_state.value, palette(SCAN_STYLE_NAME[image.scan_state]))


def with_scan(image: Image, report: ScanReport) -> Image:
    """`image`'s record as `report` tells its scan (the very record when nothing is new)."""
    scanned = image._replace(
        scan_status=report.state.name,
        scan_description=report.description,
        severity_row=tuple(report.summary.get(s) for s in SEVERITIES_WORST_FIRST),
    )
    return image if scanned == image else scanned


def image_label(image: Image) -> str:
    """How the user names an image: its first tag, else its short digest."""
    return image.tags[0] if image.tags else f"@{image.short_digest}"


def image_info(image: Image) -> list[Text]:
    """The highlighted image in full (every tag, times, size, digest), then shorter
    forms for a narrower pane, whose times are to the minute, then ages only."""
    count = len(image.tags)
    tags = Text("untagged")
    if image.tags:
        noun = "tag" if count == 1 else "tags"
        tags = Text.assemble(f"{count} {noun}: ", (", ".join(image.tags), "bold"))
    pushed_age = relative_time(image.pushed_at)
    size = human_size(image.size_bytes)
    pulled = "never pulled"
    if image.last_pulled_at:
        pulled = f"pulled {relative_time(image.last_pulled_at)}"
    to_second = absolute_time(image.pushed_at)
    # "2026-11-20 09:14:35 UTC" without ":35"
    to_minute = f"{to_second[:-7]} UTC" if image.pushed_at else to_second
    last = "last " if image.last_pulled_at else ""
    times = (
        f"pushed {to_second} ({pushed_age}) · {size} · {last}{pulled}",
        f"pushed {to_minute} ({pushed_age}) · {size} · {pulled}",
        f"pushed {pushed_age} · {size} · {pulled}",
    )
    return [Text.assemble(tags, "\n", line, "\n", (image.digest, "bold")) for line in times]
