"""The images pane: the images of one repository, how they sort, and the actions on one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import get_current_worker

from ecr_tui.core.models import Image, Repository, ScanState
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.format import (
    SCAN_STYLE_NAME,
    Palette,
    absolute_time,
    human_size,
    relative_time,
    severity_counts_text,
)
from ecr_tui.ui.panes.base import Pane
from ecr_tui.ui.table.widget import Cell, Column, VirtualTable

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
                Column("Scan", 18),  # "C2 H10 M26 L17 U10"
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
