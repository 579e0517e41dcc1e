"""The details view of one image (`x`): all it is, and ECR's own JSON, ready to copy.

It opens at once with what the images pane knows (the DescribeImages row and
what the repository's other manifests say about it), then reads the rest in the
background: the DescribeImages item as ECR sends it, the manifest
(BatchGetImage) and the referrers (ListImageReferrers).
"""

from __future__ import annotations

import json
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ecr_tui.core.errors import explain_error
from ecr_tui.core.models import (
    Image,
    ImageDetails,
    Referrer,
    Repository,
    ScanState,
    SeverityCounts,
    index_entries,
)
from ecr_tui.core.remote_reader import RemoteReader
from ecr_tui.ui.format import absolute_time, human_size, relative_time
from ecr_tui.ui.panes.image_tree import ImageTree

LOADING = "Loading…"


class ImageDetailsScreen(ModalScreen[None]):
    """One image in full: tags, kind, media types, platforms, referrers, sizes, JSON."""

    DEFAULT_CSS = """
    ImageDetailsScreen { align: center middle; }
    #details-body {
        width: 95%;
        max-width: 120;
        height: 95%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    .details-heading { margin-top: 1; text-style: bold; color: $text-accent; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,x", "dismiss", "Close", id="details.close"),
        Binding("c", "copy('item')", "Copy the DescribeImages item", id="details.copy_item"),
        Binding("m", "copy('manifest')", "Copy the manifest", id="details.copy_manifest"),
        Binding("d", "copy('digest')", "Copy the digest", id="details.copy_digest"),
        Binding("j,down", "scroll('down')", "Scroll", show=False, id="details.down"),
        Binding("k,up", "scroll('up')", "Scroll", show=False, id="details.up"),
    ]

    def __init__(self, reader: RemoteReader, repository: Repository, image: Image, tree: ImageTree):
        super().__init__()
        self.reader = reader
        self.repository = repository
        self.image = image
        self.image_tree = tree
        self.details: ImageDetails | None = None
        self.problem = ""

    def compose(self) -> ComposeResult:
        """The fields, then referrers, then the two JSON documents."""
        image = self.image
        with VerticalScroll(id="details-body") as scroll:
            label = image.tags[0] if image.tags else f"@{image.short_digest}"
            scroll.border_title = f"{self.repository.name} · {label}"
            scroll.border_subtitle = "c copies the item · m the manifest · d the digest · esc"
            yield Static(self._fields(), id="details-fields")
            yield Static("Referrers", classes="details-heading")
            yield Static(LOADING, id="details-referrers", markup=False)
            yield Static("DescribeImages item", classes="details-heading")
            yield Static(LOADING, id="details-item", markup=False)
            yield Static("Manifest", classes="details-heading")
            yield Static(LOADING, id="details-manifest", markup=False)

    def on_mount(self) -> None:
        """Read the rest in the background."""
        self._load(self.reader, self.repository.name, self.image.digest)

    @work(thread=True, exclusive=True, group="image-details", exit_on_error=False)
    def _load(self, reader: RemoteReader, repository: str, digest: str) -> None:
        try:
            details = reader.image_details(repository, digest)
        except Exception as error:  # shown in the view, which stays useful without it
            problem = str(explain_error(error))
            self.app.call_from_thread(self._failed, problem)
            return
        self.app.call_from_thread(self._show, details)

    def _failed(self, problem: str) -> None:
        self.problem = problem
        for name in ("referrers", "item", "manifest"):
            self.query_one(f"#details-{name}", Static).update(f"Could not be read: {problem}")

    def _show(self, details: ImageDetails) -> None:
        self.details = details
        self.query_one("#details-fields", Static).update(self._fields())
        self.query_one("#details-referrers", Static).update(self._referrers_text())
        self.query_one("#details-item", Static).update(details.describe_item or "(not listed)")
        manifest = details.manifest or f"Not returned: {details.manifest_problem or 'no manifest'}"
        self.query_one("#details-manifest", Static).update(manifest)

    # -- what is shown ------------------------------------------------------------

    def _fields(self) -> Table:
        image, tree = self.image, self.image_tree
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        kind = tree.describe(image) or "container image (single platform)"
        rows: list[tuple[str, str | Text]] = [
            ("Digest", image.digest),
            ("Tags", ", ".join(image.tags) if image.tags else "untagged"),
            ("Kind", kind),
            ("Media type", image.media_type or "-"),
            ("Artifact type", image.artifact_media_type or "-"),
        ]
        if image.subject_digest:
            rows.append(("Subject", image.subject_digest))
        rows.append(("Storage", self._storage()))
        size = human_size(image.size_bytes)
        if image.size_bytes is not None:
            size = f"{size} ({image.size_bytes:,} bytes)"
        rows.append(("Size", size))
        platforms = self._platforms()
        if platforms:
            rows.append(("Platforms", platforms))
        rows.append(
            ("Pushed", f"{absolute_time(image.pushed_at)} ({relative_time(image.pushed_at)})")
        )
        pulled = "never recorded"
        if image.last_pulled_at is not None:
            pulled = f"{absolute_time(image.last_pulled_at)} (ECR records pulls about daily)"
        rows.append(("Last pulled", pulled))
        rows.append(("Scan", self._scan()))
        for label, value in rows:
            table.add_row(label, value)
        return table

    def _scan(self) -> str:
        image = self.image
        if image.is_index:
            scan = self.image_tree.index_scan(image)
            if scan.state is None:
                return "an index is not scanned: its platforms are (none listed here yet)"
            worst = scan.state.value
            if scan.state is ScanState.COMPLETE:
                counts = SeverityCounts.from_row(scan.severity_row)
                worst = (
                    " ".join(
                        f"{count} {severity.name.lower()}" for severity, count in counts.counts
                    )
                    or "no findings"
                )
                worst += f" (worst platform: {scan.platform})" if scan.platform else ""
            return (
                f"an index is not scanned, its platforms are: {worst} · "
                f"{scan.scanned} of {scan.platforms} platforms scanned"
            )
        scan_text = image.scan_label
        if image.scan_description:
            scan_text = f"{scan_text}: {image.scan_description}"
        return scan_text

    def _storage(self) -> str:
        image = self.image
        status = image.image_status or "ACTIVE (not reported)"
        if image.archived_at is not None:
            status += f" · archived {absolute_time(image.archived_at)}"
        if image.activated_at is not None:
            status += f" · restored {absolute_time(image.activated_at)}"
        if image.is_archived:
            status += " · cannot be pulled until restored"
        return status

    def _platforms(self) -> str:
        """An index's platforms, with their sizes and digests."""
        manifest = self.image_tree.manifests.get(self.image.digest)
        entries = manifest.entries if manifest is not None else ()
        if not entries and self.details is not None and self.details.manifest:
            try:
                entries = index_entries(json.loads(self.details.manifest))
            except ValueError:
                entries = ()
        lines = []
        for entry in entries:
            what = self.image_tree.entry_label(entry)
            lines.append(f"{what:<14} {human_size(entry.size):>9}  {entry.digest}")
        if not lines and self.image.is_index:
            return LOADING if self.details is None else "none listed"
        return "\n".join(lines)

    def _referrers_text(self) -> str:
        details = self.details
        referrers: tuple[Referrer, ...] | None = details.referrers if details else None
        lines: list[str] = []
        if referrers is None:
            # ListImageReferrers could not be asked: what DescribeImages says instead.
            known = self.image_tree.referrers.get(self.image.digest, [])
            why = details.referrers_problem if details else ""
            lines.append(f"ListImageReferrers unavailable ({why}); from DescribeImages:")
            referrers = tuple(
                Referrer(
                    image.digest, image.artifact_media_type, image.media_type, image.size_bytes
                )
                for image, _ in known
            )
        for referrer in referrers:
            status = f" · {referrer.status}" if referrer.status not in ("", "ACTIVE") else ""
            lines.append(
                f"{referrer.kind.value:<11} {referrer.artifact_type or '-'} · "
                f"{human_size(referrer.size)}{status}\n            {referrer.digest}"
            )
            for key, value in referrer.annotations:
                lines.append(f"            {key}: {value}")
        if not referrers:
            lines.append("None: nothing signs or describes this image.")
        return "\n".join(lines)

    # -- keys ---------------------------------------------------------------------

    def action_copy(self, what: str) -> None:
        """Copy the DescribeImages item, the manifest or the digest (OSC 52)."""
        text, label = self.image.digest, "digest"
        if what != "digest":
            if self.details is None:
                self.notify("Still loading: try again in a moment.", timeout=3)
                return
            if what == "item":
                text, label = self.details.describe_item, "DescribeImages item"
            else:
                text, label = self.details.manifest, "manifest"
        if not text:
            self.notify(f"No {label} to copy.", severity="warning", timeout=3)
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied the {label} ({len(text):,} characters).", timeout=4)

    def action_scroll(self, direction: str) -> None:
        """Scroll the view a line."""
        body = self.query_one("#details-body", VerticalScroll)
        body.scroll_relative(y=1 if direction == "down" else -1, animate=False)
