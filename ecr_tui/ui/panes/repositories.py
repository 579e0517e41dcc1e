"""The repositories pane: every repository of the registry, and the keys that administer one.

The Scan column says how the registry's scanning configuration applies to each
repository (basic or enhanced, on push or continuous), read in the background
for the repositories on screen: the repository's own scan-on-push flag alone
says `manual` for a repository that enhanced scanning covers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from ecr_tui.core.errors import explain_error
from ecr_tui.core.models import RegistryScanning, Repository, RepositoryScanning
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.format import Palette, short_date
from ecr_tui.ui.panes.base import FOLLOW_DELAY, Pane
from ecr_tui.ui.table.cells import Cell
from ecr_tui.ui.table.columns import Column
from ecr_tui.ui.table.widget import VirtualTable


class RepositoriesPane(Pane):
    """Every repository of the registry, sorted by name."""

    # Administration runs in the app (`ecr_tui.ui.repository_actions`, `policy_actions`,
    # `image_actions`); the keys live here so that they work where the repository is chosen.
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
        Binding(
            "asterisk",
            "app.toggle_favourite",
            "Mark or unmark a favourite (listed first, per profile)",
            show=False,
            id="repositories.favourite",
        ),
        Binding(
            "F",
            "toggle_favourites_only",
            "Favourites only, or all",
            show=False,
            id="repositories.favourites_only",
        ),
    ]

    noun = "repositories"
    noun_one = "repository"

    class ScanningRead(Message):
        """How some repositories are scanned, or why it could not be read."""

        def __init__(
            self,
            generation: int,
            registry: RegistryScanning | None,
            scanning: list[RepositoryScanning],
            problem: str = "",
        ) -> None:
            super().__init__()
            self.generation = generation
            self.registry = registry
            self.scanning = scanning
            self.problem = problem

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(title, id=id)
        # How the registry's scanning configuration applies, per repository name.
        self.scanning: dict[str, RepositoryScanning] = {}
        self.registry_scanning: RegistryScanning | None = None
        self.scanning_problem = ""  # why it cannot be read (the flag is shown instead)
        self._scanning_asked: set[str] = set()
        self._scanning_generation = 0  # a refresh reads it all again
        self._scanning_timer: Timer | None = None
        self._scanning_busy = False
        # Favourite repositories come first, marked; `favourites_only` hides the rest.
        self.favourites: frozenset[str] = frozenset()
        self.favourites_only = False

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
                # Names stay whole in an 80-column terminal: the settings after them
                # are in the line under the table.
                Column("Repository", 20, flexible=True),
                Column("Mutability", 10),
                Column("Scan", 8),
                Column("Crypto", 8),
                Column("Created", 10),
                Column("URI", 60),
            ],
            self._render_row,
            lambda repo: repo.name,
            empty_text="Loading repositories…",
            id="repositories-table",
        )
        table.set_sort(self._sort_key)
        table.opens_into = lambda: self.screen.query_one("#images-table", VirtualTable)
        return table

    def _sort_key(self, repo: Repository) -> tuple[bool, str]:
        return (repo.name not in self.favourites, repo.name)

    # -- favourites ----------------------------------------------------------------------

    def set_favourites(self, names: Iterable[str]) -> None:
        """These repositories are the favourites: first, marked (and alone, if so shown)."""
        self.favourites = frozenset(names)
        if not self.favourites:
            self.favourites_only = False  # (nothing would be left to show)
        self.table.set_sort(self._sort_key)
        self._show_favourites_only()
        self.table.redraw_rows()

    def action_toggle_favourites_only(self) -> None:
        """Show the favourites alone, or every repository again."""
        if not self.favourites_only and not self.favourites:
            self.notify("No favourites yet: * marks the highlighted repository.", timeout=4)
            return
        self.favourites_only = not self.favourites_only
        self._show_favourites_only()

    def _show_favourites_only(self) -> None:
        favourites = self.favourites
        if self.favourites_only:
            self.table.set_hidden(lambda repo: repo.name in favourites, (False,))
        else:
            self.table.set_hidden(lambda repo: True, ())
        self.refresh_subtitle()

    def refresh_subtitle(self) -> None:
        """The count, and that it counts the favourites only."""
        super().refresh_subtitle()
        if self.favourites_only:
            self.border_subtitle = f"{self.border_subtitle} · favourites · F all"

    def load(self, reader: Reader) -> None:
        """Read every repository, page by page."""
        self.reader = reader
        self.current_load = self._fetch(reader, self._next_request())
        self._forget_scanning()

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
        if repository is None:
            self.set_info("")
            return
        self.set_info(repository_info(repository, self._scanning_words(repository)))

    # -- how each repository is scanned ------------------------------------------------

    def _forget_scanning(self) -> None:
        self._scanning_generation += 1
        self.scanning, self.registry_scanning, self.scanning_problem = {}, None, ""
        self._scanning_asked = set()
        self._scanning_busy = False

    def on_pane_loaded(self, message: Pane.Loaded) -> None:
        """Once rows are in, ask how those on screen are scanned (Pane's handler shows them)."""
        if message.request == self._request:
            self._scanning_later()

    def _scanning_later(self) -> None:
        if self._scanning_timer is None and self.reader is not None:
            self._scanning_timer = self.set_timer(FOLLOW_DELAY, self._ask_scanning)

    def _ask_scanning(self) -> None:
        """The scanning configuration of the repositories on screen (and the next screen)."""
        self._scanning_timer = None
        if self.reader is None or self.scanning_problem or self._scanning_busy:
            return
        table = self.table
        top, height = int(table.scroll_y), max(table.size.height, 1)
        names = [
            repository.name
            for repository in table.rows[top : top + 2 * height]
            if repository.name not in self.scanning and repository.name not in self._scanning_asked
        ]
        if names:
            self._scanning_asked.update(names)
            self._scanning_busy = True  # one call at a time; the screen is looked at again after
            self._read_scanning(self.reader, self._scanning_generation, names)

    @work(thread=True, group="repository-scanning", exit_on_error=False)
    def _read_scanning(self, reader: Reader, generation: int, names: list[str]) -> None:
        registry = self.registry_scanning
        try:
            if registry is None:
                registry = reader.registry_scanning()
            scanning = reader.repository_scanning(names, registry.scan_type) if names else []
        except Exception as error:  # the repository's own flag is shown instead, marked so
            problem = explain_error(error).title
            self.post_message(self.ScanningRead(generation, registry, [], problem))
            return
        self.post_message(self.ScanningRead(generation, registry, scanning))

    def on_repositories_pane_scanning_read(self, message: ScanningRead) -> None:
        """Show how the repositories are scanned (an answer from before a refresh is dropped)."""
        message.stop()
        if message.generation != self._scanning_generation:
            return
        self._scanning_busy = False
        self._scanning_later()  # the rows on screen now, if they moved meanwhile
        self.registry_scanning = message.registry or self.registry_scanning
        self.scanning_problem = message.problem
        for scanning in message.scanning:
            self.scanning[scanning.repository] = scanning
        self.table.redraw_rows()
        self.show_info(self.table.current_row)

    def _render_row(self, repo: Repository, palette: Palette) -> list[Cell]:
        cells = render_repository(repo, palette)
        if self.favourites:  # a mark, and the other names kept in line with the marked
            favourite = repo.name in self.favourites
            cells[0] = Text(f"* {repo.name}" if favourite else f"  {repo.name}")
        scanning = self.scanning.get(repo.name)
        if scanning is not None:
            label = scanning.short_label
            cells[2] = Text(
                label, palette("muted") if label in ("manual", "off") else palette("ok")
            )
        elif self.scanning_problem:
            # What DescribeRepositories says, marked as not the whole story.
            cells[2] = Text(f"{cells[2]}?", palette("muted"))
        else:
            cells[2] = Text("…", palette("muted"))
        return cells

    def _scanning_words(self, repository: Repository) -> str:
        scanning = self.scanning.get(repository.name)
        if scanning is not None:
            words = scanning.label
            if scanning.filters:
                words += f" (registry filter {', '.join(scanning.filters)})"
            return words
        flag = "scan on push" if repository.scan_on_push else "manual scans"
        if self.scanning_problem:
            return f"{flag} (registry scanning unknown: {self.scanning_problem})"
        return f"{flag} (reading the registry's scanning configuration…)"

    def wanted_selected(self, row: Any) -> None:
        """Back on the repository shown before the reload: the images follow it (again)."""
        self._follow_cursor()

    def listing_ended(self) -> None:
        """The repository shown before the reload has gone: the images follow the cursor."""
        missed = self.awaits_wanted
        super().listing_ended()
        if missed:
            self._follow_cursor()

    def _follow_cursor(self) -> None:
        repository: Repository | None = self.table.current_row
        if repository is not None:
            self.follow_later(lambda: self.post_message(self.Chosen(repository, False)))

    @on(VirtualTable.RowHighlighted, "#repositories-table")
    def _highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        event.stop()
        self._scanning_later()
        if self.awaits_wanted and self.table.moved_at < self.wanted_since:
            # A page moved the cursor during a reload, not the user: the images stay
            # those of the repository the reload looks for.
            return
        self.forget_wanted()
        self._follow_cursor()

    @on(VirtualTable.RowSelected, "#repositories-table")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.cancel_follow()
        self.post_message(self.Chosen(event.row, True))


def render_repository(repo: Repository, palette: Palette) -> list[Cell]:
    """One repository row (the Scan cell as the repository's own flag says)."""
    immutable = repo.tag_mutability.startswith("IMMUTABLE")
    mutability = repo.tag_mutability.split("_")[0]
    if repo.tag_mutability.endswith("_WITH_EXCLUSION"):
        mutability += "*"  # with exceptions: the line under the table names them
    return [
        repo.name,
        Text(mutability, palette("ok") if immutable else ""),
        Text("on push", palette("ok")) if repo.scan_on_push else Text("manual", palette("muted")),
        repo.encryption,
        short_date(repo.created_at),
        repo.uri,
    ]


def mutability_words(repo: Repository) -> str:
    """'immutable', or 'immutable except tags latest, dev-*'."""
    base = repo.tag_mutability.split("_")[0].lower()
    if repo.tag_mutability.endswith("_WITH_EXCLUSION"):
        filters = ", ".join(repo.tag_mutability_exclusions) or "(no filters listed)"
        return f"{base} except tags {filters}"
    return base


def encryption_words(repo: Repository) -> str:
    """'AES256', 'KMS <key>', 'KMS_DSSE (dual-layer) <key>'."""
    words = repo.encryption
    if repo.encryption == "KMS_DSSE":
        words += " (dual-layer)"
    return f"{words} {repo.kms_key}" if repo.kms_key else words


def repository_info(repo: Repository, scanning: str = "") -> Text:
    """The highlighted repository in full, for narrow terminals."""
    scan = scanning or ("scan on push" if repo.scan_on_push else "manual scans")
    return Text.assemble(
        f"{mutability_words(repo)} · {scan} · {encryption_words(repo)} · "
        f"created {short_date(repo.created_at)}\n",
        (repo.uri, "bold"),
    )
