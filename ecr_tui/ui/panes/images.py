"""The images pane: the images of one repository, how they sort, and the actions on one.

It never describes an image of another repository, or another image than the one
asked for: while a listing starts, comes back empty, or is searched for the image
a go-to (or a refresh) wants, the info lines and the findings pane say so instead.

An image index (a multi-platform image) is one row, its platforms folded under
it (`e` unfolds them); referrers (signatures, SBOMs, attestations) are letters
in the Refs column of the image they describe; `a` lists every manifest as a
row of its own (see `image_tree`). What each index lists is read with
BatchGetImage in the background, the indexes on screen first, then every other
(see `index_manifests`): until then the border says how many are left to read.
How a row looks is in `image_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import get_current_worker

from ecr_tui.core.errors import Problem
from ecr_tui.core.media_types import INDEX_MEDIA_TYPES
from ecr_tui.core.models import Image, Repository, ScanReport
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.format import Palette
from ecr_tui.ui.panes.base import Pane
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.image_rows import (
    PLAIN_COLUMNS,
    REFS_COLUMN,
    SCAN_AT,
    TYPE_COLUMN,
    image_info,
    image_label,
    index_scan_cell,
    render_image,
    type_cell,
    with_scan,
)
from ecr_tui.ui.panes.image_tree import ImageTree, page_texts, search_text
from ecr_tui.ui.panes.index_manifests import IndexManifestsPane
from ecr_tui.ui.table.cells import Cell
from ecr_tui.ui.table.widget import VirtualTable

# How the images pane can be ordered: label, key, newest/biggest/worst first.
IMAGE_SORTS: tuple[tuple[str, Callable[[Image], Any]], ...] = (
    # An index and its platforms' images are pushed in the same second: the index
    # first (newest first), as it is what was pushed, and the cursor starts on it.
    ("pushed", lambda image: (image.pushed_seconds or 0.0, image.media_type in INDEX_MEDIA_TYPES)),
    ("size", lambda image: image.size_bytes or 0),
    ("severity", lambda image: image.severity_row),
)

_DIGEST = attrgetter("digest")


class ImagesPane(IndexManifestsPane):
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
        Binding(
            "e",
            "toggle_expand",
            "Unfold an index into its platforms",
            show=False,
            id="images.expand",
        ),
        Binding(
            "a",
            "toggle_all_manifests",
            "List every manifest (platforms, attestations, referrers)",
            show=False,
            id="images.all",
        ),
        Binding(
            "x", "details", "Everything about the image, its JSON", show=False, id="images.details"
        ),
        Binding(
            "R",
            "image_action('replication')",
            "Regions the image is replicated to",
            show=False,
            id="images.replication",
        ),
        Binding(
            "A",
            "app.archive_image",
            "Archive the image, or restore it",
            show=False,
            id="images.archive",
        ),
    ]

    noun = "images"
    noun_one = "image"
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

    class ShowDetails(Message):
        """The user asked for everything about an image (`x`)."""

        def __init__(self, repository: Repository, image: Image, tree: ImageTree) -> None:
            super().__init__()
            self.repository = repository
            self.image = image
            self.tree = tree

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(title, id=id)
        self.repository: Repository | None = None
        self._sort_index = 0
        self._newest_first = True
        self._hidden: frozenset[str] = frozenset()
        self._placed: dict[str, tuple[Image, int]] = {}  # rows under an expanded index
        self._sorted_scans = -1  # the tree's scans version the severity sort used
        # What the info lines say while no image is highlighted.
        self._no_image_text = ""
        # The image a go-to or a refresh waits for (its tag or digest), while it waits.
        self.looking_for: str | None = None
        self._announce_looking = False

    def make_table(self) -> VirtualTable[Any]:
        """Tags first; digest, age, size and scan result after."""
        table: VirtualTable[Image] = VirtualTable(
            PLAIN_COLUMNS,
            self._render_row,
            search_text,
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
        self._new_tree(repository.name, same_repository)
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

    def _choose_again(self, image: Image, drill_in: bool) -> None:
        """Chosen before its platforms were known: the findings pane gets them now."""
        self.post_message(self.Chosen(image, drill_in))

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
        if scanned is image:
            return  # nothing new (most reports)
        if not self.table.replace_row(image, scanned):
            # A reload since brought another record of it: that one, if still shown.
            shown = self.table.find_row(lambda row: row.digest == image.digest)
            if shown is None or shown.repository != image.repository:
                return
            scanned = with_scan(shown, report)
            if scanned is shown or not self.table.replace_row(shown, scanned):
                return
        # A platform's new scan is its index's too.
        if self.image_tree.replaced(scanned):
            self._refold()

    @work(thread=True, exclusive=True, group="images", exit_on_error=False)
    def _fetch(self, reader: Reader, repository: str, request: int) -> None:
        worker = get_current_worker()
        for page in reader.image_pages(repository, lambda: worker.is_cancelled):
            self.post_page(request, page)
        self.post_message(self.Loaded(request, [], done=True))

    def empty_text(self) -> str:
        """An empty repository says how to fill it."""
        return "No images yet: push one to this repository."

    def forget(self, why: str) -> None:
        """Show no repository's images (see `Pane.forget`)."""
        self._stop_looking()
        super().forget(why)
        self.reader, self.repository = None, None
        self.border_title = "Images"
        self._new_tree("", same_repository=False)
        self._no_image_text = ""

    @property
    def sort_state(self) -> tuple[int, bool]:
        """The sort chosen: its index in IMAGE_SORTS, and whether newest (largest) first."""
        return self._sort_index, self._newest_first

    def restore_sort(self, index: int, newest_first: bool) -> None:
        """Sort as `sort_state` said, silently (a context's own sort, restored)."""
        if (index, newest_first) != self.sort_state:
            self._sort_index, self._newest_first = index % len(IMAGE_SORTS), newest_first
            self._sort()

    def action_cycle_sort(self) -> None:
        """Sort by pushed time, then size, then severity."""
        self._sort_index = (self._sort_index + 1) % len(IMAGE_SORTS)
        self._apply_sort()

    def action_flip_order(self) -> None:
        """Reverse the order."""
        self._newest_first = not self._newest_first
        self._apply_sort()

    def _apply_sort(self) -> None:
        label, _ = IMAGE_SORTS[self._sort_index]
        self._sort()
        arrow = "↓" if self._newest_first else "↑"
        self.notify(f"Images sorted by {label} {arrow}", timeout=2)

    def _sort(self) -> None:
        """Sort by the chosen key; an expanded index keeps its platforms under it."""
        label, key = IMAGE_SORTS[self._sort_index]
        tree = self.image_tree
        if label == "severity":
            key = tree.severity_key  # an index by its worst platform
            self._sorted_scans = tree.scans_version
        placed = dict(self._placed)  # the key must not change until the next sort
        if placed:
            base = key
            sign = -1 if self._newest_first else 1  # (a reversed sort is stored backwards)

            def key(image: Image) -> Any:
                found = placed.get(image.digest)
                if found is None:
                    return (base(image), image.digest, 0)
                parent, rank = found
                return (base(parent), parent.digest, sign * rank)

        self.table.set_sort(key, reverse=self._newest_first)

    # -- what the rows are: indexes, platforms, referrers ---------------------------

    def _new_tree(self, repository: str, same_repository: bool) -> None:
        """Start knowing a repository afresh; a reload keeps what was unfolded."""
        old = self.image_tree
        self.image_tree = ImageTree(repository)
        if same_repository:
            self.image_tree.expanded = old.expanded
            self.image_tree.show_all = old.show_all
        self._placed = {}
        self._hidden = frozenset()
        self.table.set_hidden(_DIGEST, ())
        self.table.set_columns(PLAIN_COLUMNS)
        self._sort()

    def page_texts(self, page: Sequence[Any]) -> tuple[list[str], object]:
        """In the loading worker: the search texts, and the rows that are not plain images."""
        return page_texts(page)

    def on_pane_loaded(self, message: Pane.Loaded) -> None:
        """Learn what a page's rows are (Pane's handler then shows them)."""
        if message.request != self._request or not message.rows:
            return
        notable = message.notes if isinstance(message.notes, list) else None
        changed = self.image_tree.add(message.rows, notable)
        changed |= self._take_cached()  # at once: a repository opened again folds as before
        if changed or (self.image_tree.special and self.table.columns == list(PLAIN_COLUMNS)):
            self._refold()
        self._manifests_later()

    def _refold(self) -> None:
        """Show what the tree now knows: rows folded or unfolded, columns, labels."""
        tree = self.image_tree
        placed = tree.placed_children()
        severity_sort = IMAGE_SORTS[self._sort_index][0] == "severity"
        if placed != self._placed or (severity_sort and tree.scans_version != self._sorted_scans):
            self._placed = placed
            self._sort()
        hidden = tree.hidden() - placed.keys()
        if hidden != self._hidden:
            self._hidden = hidden
            self.table.set_hidden(_DIGEST, hidden)
        # After the scan, which matters most where the terminal is narrow.
        extra = []
        if tree.special:
            extra.append(TYPE_COLUMN)
        if tree.referrers or any(m.attestations for m in tree.manifests.values()):
            extra.append(REFS_COLUMN)
        self.table.set_columns(
            [*PLAIN_COLUMNS[: SCAN_AT + 1], *extra, *PLAIN_COLUMNS[SCAN_AT + 1 :]]
        )
        self.table.redraw_rows()
        self.refresh_subtitle()
        self.show_info(self.table.current_row)

    def _render_row(self, image: Image, palette: Palette) -> list[Cell]:
        """One row: an image, an index (its platforms, their worst scan), a platform under
        its index, a referrer or another artifact."""
        cells = render_image(image, palette)
        tree = self.image_tree
        if image.digest in tree.indexes:
            cells[SCAN_AT] = index_scan_cell(
                tree.index_scan(image), image.digest in tree.manifests, palette
            )
        if image.digest in self._placed:
            cells[0] = Text(tree.child_label(image), palette("muted"))
        columns = self.table.columns
        if len(columns) > len(PLAIN_COLUMNS):
            extra: list[Cell] = []
            if columns[SCAN_AT + 1] is TYPE_COLUMN:
                extra.append(type_cell(tree.type_label(image), image, palette))
            if REFS_COLUMN in columns:
                extra.append(Text(tree.badges(image), palette("ok")))
            cells[SCAN_AT + 1 : SCAN_AT + 1] = extra
        return cells

    def action_toggle_expand(self) -> None:
        """Unfold an index into its platforms' rows, or fold it again."""
        image: Image | None = self.table.current_row
        if image is None:
            return
        parent = self.image_tree.parent(image) if image.digest in self._placed else None
        target = parent or image
        expanded = self.image_tree.toggle_expanded(target)
        if expanded is None:
            self.notify(
                "Not an image index: e unfolds a multi-platform image into its platforms.",
                timeout=4,
            )
            return
        if expanded and target.digest not in self.image_tree.manifests:
            self.notify("Reading the index's platforms…", timeout=2)
            self._ask_manifests(also=[target.digest])
        self._refold()
        if parent is not None:
            self.table.move_to(parent)

    def action_toggle_all_manifests(self) -> None:
        """List every manifest as a row of its own, or fold them again."""
        tree = self.image_tree
        tree.show_all = not tree.show_all
        current: Image | None = self.table.current_row
        self._refold()
        if tree.show_all:
            self.notify("Every manifest listed: platforms, attestations, referrers.", timeout=3)
        else:
            self.notify("Indexes fold their platforms; referrers are letters in Refs.", timeout=3)
            if current is not None and current.digest in self._hidden:
                owner = tree.parent(current) or tree.by_digest.get(current.subject_digest)
                if owner is not None:
                    self.table.move_to(owner)

    def action_details(self) -> None:
        """Everything about the highlighted image, in a view of its own (the app opens it)."""
        image: Image | None = self.table.current_row
        if image is None or self.repository is None:
            self.notify("Choose an image first.", timeout=3)
            return
        self.post_message(self.ShowDetails(self.repository, image, self.image_tree))

    def refresh_subtitle(self) -> None:
        """The count, and what is folded away or archived."""
        super().refresh_subtitle()
        extra = []
        folded = self.table.hidden_rows
        if folded:
            extra.append(f"{folded:,} folded (a lists all)")
        if self.image_tree.archived:
            extra.append(f"{self.image_tree.archived:,} archived")
        unread = len(self.image_tree.unread)
        if unread:  # what is folded, and so the count, is not known until they are read
            extra.append(f"reading {unread:,} index{'es' * (unread != 1)}…")
        if extra:
            self.border_subtitle = " · ".join([str(self.border_subtitle or ""), *extra])

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
            full, *shorter = image_info(image, self.image_tree.describe(image))
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
