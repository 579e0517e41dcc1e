"""The ecr-tui application: three panes over one ECR registry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import explain_error
from ecr_tui.core.models import AccountInfo
from ecr_tui.ui.panes import FindingsPane, ImagesPane, Pane, RepositoriesPane
from ecr_tui.ui.screens import FindingScreen, HelpScreen
from ecr_tui.ui.table import VirtualTable

if TYPE_CHECKING:
    from ecr_tui.demo.launcher import DemoEndpoint


class EcrApp(App[None]):
    """Browse repositories, their images and each image's scan findings."""

    TITLE = "ecr-tui"
    CSS_PATH = "app.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("r", "refresh", "Refresh", id="app.refresh"),
        Binding("z", "toggle_zoom", "Zoom", id="app.zoom"),
        Binding("tab", "focus_next", "Next pane", show=False, id="app.next_pane"),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False, id="app.prev_pane"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    class ServiceReady(Message):
        """The ECR client exists: panes can start loading."""

        def __init__(self, service: EcrService) -> None:
            super().__init__()
            self.service = service

    class AccountKnown(Message):
        """STS said who we are."""

        def __init__(self, account: AccountInfo) -> None:
            super().__init__()
            self.account = account

    def __init__(self, settings: ConnectionSettings) -> None:
        super().__init__()
        self.settings = settings
        self.service: EcrService | None = None
        self.account: AccountInfo | None = None
        self.demo_endpoint: DemoEndpoint | None = None

    def compose(self) -> ComposeResult:
        """Status line, the three panes, the key bar."""
        yield Static(self._status_text(), id="status")
        with Horizontal(id="main"):
            yield RepositoriesPane("Repositories", id="repositories")
            with Vertical(id="right"):
                yield ImagesPane("Images", id="images")
                yield FindingsPane("Findings", id="findings")
        yield Footer()

    def on_mount(self) -> None:
        """Connect in the background so the first frame never waits on the network."""
        self.query_one("#repositories-table").focus()
        self._connect()

    def on_unmount(self) -> None:
        """Stop the demo registry with the app."""
        if self.demo_endpoint is not None:
            self.demo_endpoint.close()

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect(self) -> None:
        settings = self.settings
        if settings.demo and settings.endpoint_url is None:
            from ecr_tui.demo.launcher import start_demo_endpoint

            self.demo_endpoint = start_demo_endpoint()
            settings = replace(settings, endpoint_url=self.demo_endpoint.url)
        service = EcrService(settings)
        self.post_message(self.ServiceReady(service))
        self.post_message(self.AccountKnown(service.account_info()))

    def on_ecr_app_service_ready(self, message: ServiceReady) -> None:
        """Start listing repositories."""
        self.service = message.service
        self.query_one(RepositoriesPane).load(message.service)
        self._refresh_status()

    def on_ecr_app_account_known(self, message: AccountKnown) -> None:
        """Show who and where in the status line."""
        self.account = message.account
        self._refresh_status()

    def _refresh_status(self) -> None:
        self.query_one("#status", Static).update(self._status_text())

    def _status_text(self) -> Text:
        text = Text.assemble(("ecr-tui", "bold"), "  ")
        if self.account is None:
            where = self.service.settings.endpoint_label if self.service else "…"
            text.append(f"connecting to {where}")
            return text
        account = self.account
        text.append(f"account {account.account_id or '?'} · {account.region} · ")
        text.append(account.endpoint)
        if self.settings.demo:
            text.append(" (demo)", "italic")
        if account.profile:
            text.append(f" · profile {account.profile}")
        return text

    # -- the panes talk through the app ------------------------------------------

    def on_repositories_pane_chosen(self, message: RepositoriesPane.Chosen) -> None:
        """Show the chosen repository's images."""
        if self.service is None:
            return
        self.query_one(ImagesPane).show(self.service, message.repository)
        if message.drill_in:
            self.query_one("#images-table").focus()

    def on_images_pane_chosen(self, message: ImagesPane.Chosen) -> None:
        """Show the chosen image's findings."""
        if self.service is None:
            return
        self.query_one(FindingsPane).show(self.service, message.image)
        if message.drill_in:
            self.query_one("#findings-table").focus()

    def on_findings_pane_open_finding(self, message: FindingsPane.OpenFinding) -> None:
        """Open a finding's details."""
        self.push_screen(FindingScreen(message.finding))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed background call becomes a readable notification."""
        if event.state is not WorkerState.ERROR:
            return
        endpoint = self.service.settings.endpoint_url if self.service else None
        problem = explain_error(event.worker.error or Exception("unknown failure"), endpoint)
        self.notify(problem.detail, title=problem.title, severity="error", timeout=12)
        if event.worker.group == "connect":
            self.query_one("#status", Static).update(
                Text.assemble(("ecr-tui", "bold"), f"  not connected: {problem.title}")
            )

    # -- actions ----------------------------------------------------------------

    def action_refresh(self) -> None:
        """Reload everything that is shown, keeping the selection."""
        if self.service is None:
            self._connect()
            return
        repositories = self.query_one(RepositoriesPane)
        images = self.query_one(ImagesPane)
        findings = self.query_one(FindingsPane)
        repositories.reload()
        if images.repository is not None:
            images.show(self.service, images.repository, force=True)
        if findings.image is not None:
            findings.show(self.service, findings.image, force=True)

    def action_help(self) -> None:
        """List every key."""
        self.push_screen(
            HelpScreen(
                [
                    ("Everywhere", self.BINDINGS),
                    ("Moving in a table", VirtualTable.BINDINGS),
                    ("Any pane", Pane.BINDINGS),
                    ("Images pane", ImagesPane.BINDINGS),
                    ("Findings pane", FindingsPane.BINDINGS),
                ]
            )
        )

    def action_toggle_zoom(self) -> None:
        """Give the focused pane the whole screen, or put it back."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
            return
        focused = self.focused
        pane = (
            next((node for node in focused.ancestors if isinstance(node, Pane)), None)
            if (focused)
            else None
        )
        if pane is not None:
            screen.maximize(pane, container=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette offers every action, not only keys."""
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Refresh", "Reload repositories, images and findings", self.action_refresh
        )
        yield SystemCommand("Keys", "List every key binding", self.action_help)
        yield SystemCommand(
            "Zoom pane", "Maximize or restore the focused pane", self.action_toggle_zoom
        )
        images = self.query_one(ImagesPane)
        findings = self.query_one(FindingsPane)
        yield SystemCommand(
            "Sort images", "Cycle pushed / size / severity", images.action_cycle_sort
        )
        yield SystemCommand("Reverse image order", "Flip the sort order", images.action_flip_order)
        yield SystemCommand(
            "Minimum severity",
            "Cycle the lowest severity shown",
            findings.action_cycle_min_severity,
        )
        for pane in (self.query_one(RepositoriesPane), images, findings):
            yield SystemCommand(
                f"Filter {pane.noun}",
                f"Type to filter the {pane.noun} pane",
                pane.action_open_filter,
            )
