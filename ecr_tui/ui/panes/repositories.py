"""The repositories pane: every repository of the registry, and the keys that administer one."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import get_current_worker

from ecr_tui.core.models import Repository
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.format import Palette, short_date
from ecr_tui.ui.panes.base import Pane
from ecr_tui.ui.table.cells import Cell
from ecr_tui.ui.table.columns import Column
from ecr_tui.ui.table.widget import VirtualTable


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
                # Names stay whole in an 80-column terminal: the settings after them
                # are in the line under the table.
                Column("Repository", 20, flexible=True),
                Column("Mutability", 10),
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
        table.opens_into = lambda: self.screen.query_one("#images-table", VirtualTable)
        return table

    def load(self, reader: Reader) -> None:
        """Read every repository, page by page."""
        self.reader = reader
        self.current_load = self._fetch(reader, self._next_request())

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
