"""The ecr-tui application: three panes over one ECR registry, and Docker beside it.

The panes browse; the app composes them, wires them together, keeps the status
line, binds the keys and explains every failed background call in one place.
What the keys start lives beside it: administration in `repository_actions`,
`policy_actions` and `image_actions`, Docker and the images pane's pull / retag /
copy in `docker_actions`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from ecr_tui.commands import help_rows
from ecr_tui.core.docker.errors import DockerUnavailable
from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import Problem, explain_error, is_credential_problem
from ecr_tui.core.models import AccountInfo
from ecr_tui.core.remote_reader import ContextSwitched, RemoteReader
from ecr_tui.state import StateStore
from ecr_tui.ui.app_host import DemoEndpoint, DemoLaunch
from ecr_tui.ui.contexts import AccountKnown, Contexts, ServiceReady
from ecr_tui.ui.fleet.actions import FleetActions
from ecr_tui.ui.key_bar import KeyBar
from ecr_tui.ui.key_names import key_name
from ecr_tui.ui.keymap import keymap_clashes
from ecr_tui.ui.navigation import NavigatingApp
from ecr_tui.ui.notification_log import NotificationLog
from ecr_tui.ui.palette_commands import palette_commands
from ecr_tui.ui.panes.base import Pane
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane
from ecr_tui.ui.replication_view import show_replication
from ecr_tui.ui.screens import FindingScreen, HelpScreen
from ecr_tui.ui.status_bar import Part, StatusBar, breadcrumb_part, connection_parts
from ecr_tui.ui.table.widget import VirtualTable

# Administration and Docker (with their dialogs, transfers and the clipboard) are
# imported where they are first used: at start-up they would cost the first frame 0.1 s.
if TYPE_CHECKING:
    from ecr_tui.ui.docker_actions import DockerActions
    from ecr_tui.ui.image_actions import ImageActions
    from ecr_tui.ui.policy_actions import PolicyActions

# Worker groups whose success means ECR answered: the credentials work (again).
ECR_CALL_GROUPS = frozenset(
    {
        "connect",
        "repositories",
        "images",
        "findings",
        "admin",
        "retag",
        "push-target",
        "docker-login",
        "docker-cli",
    }
)


class EcrApp(NavigatingApp, FleetActions):
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
        Binding("L", "docker_login", "Docker login", show=False, id="docker.login"),
        # Not ctrl+l, which many press to redraw: this writes a credential (after asking).
        Binding(
            "W",
            "docker_store_login",
            "Store login for docker CLI",
            show=False,
            id="docker.store_login",
        ),
        Binding("P", "docker_push", "Push a local image", show=False, id="docker.push"),
        Binding("ctrl+g", "go_to_uri", "Go to URI", show=False, id="app.goto"),
        Binding("V", "vulnerabilities", "Vulnerabilities", show=False, id="app.vulnerabilities"),
    ]

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        read_only: bool = False,
        keymap: dict[str, str] | None = None,
        demo_launch: DemoLaunch | None = None,
        reader: RemoteReader | None = None,
        read_only_always: bool | None = None,
        state: StateStore | None = None,
    ) -> None:
        """`read_only` applies now; `read_only_always` (by default `read_only`) to every
        profile switched to, on top of each profile's own setting in the config file."""
        super().__init__()
        if self.console.color_system == "standard":
            # A 16-colour terminal (TERM=xterm, the Linux console) turned the default
            # theme's colours into near greys (critical, high and low alike) and the
            # focus border into an alarming bright red. The ANSI theme uses the
            # terminal's own colours. A theme from the config file still wins (cli).
            self.theme = "ansi-dark"
        self.settings = settings
        # Listings are read in a child process (see remote_reader); the caller may
        # have started it early, even asked for the repositories already.
        self.reader = reader or RemoteReader()
        self.read_only = read_only
        # The profile and region browsed, switched at runtime (see ui.contexts).
        self.contexts: Contexts = Contexts(
            self, read_only_always=read_only if read_only_always is None else read_only_always
        )
        self.keymap = keymap or {}
        self.service: EcrService | None = None
        self.account: AccountInfo | None = None
        # Why ECR calls fail (connecting, or the credentials), until one succeeds again.
        self.connection_problem: Problem | None = None
        # The demo's endpoint, spawned by the caller (early), waited for by contexts.connect.
        self.demo_launch = demo_launch
        self.demo_endpoint: DemoEndpoint | None = None
        self.notification_log = NotificationLog()
        # What is kept between runs; without a file (tests), for this run only.
        self.state = state or StateStore(None)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification, and keep it in the log the palette shows."""
        self.notification_log.add(severity, title, message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def action_show_notifications(self) -> None:
        """The last notifications, newest first: a toast's text once it has gone."""
        from ecr_tui.ui.dialogs.text import TextViewScreen

        log = self.notification_log.text()
        self.push_screen(TextViewScreen("Notifications", log, None, prose=True))

    @functools.cached_property
    def policy_actions(self) -> PolicyActions:
        """Policy editing and previews, loaded on the first key that asks for it."""
        from ecr_tui.ui.policy_actions import PolicyActions

        return PolicyActions(self)

    @functools.cached_property
    def image_actions(self) -> ImageActions:
        """Image administration, loaded on the first key that asks for it."""
        from ecr_tui.ui.image_actions import ImageActions

        return ImageActions(self)

    @functools.cached_property
    def docker(self) -> DockerActions:
        """Docker and the images pane's pull / retag / copy, loaded by the Docker check."""
        from ecr_tui.ui.docker_actions import DockerActions

        return DockerActions(self)

    def compose(self) -> ComposeResult:
        """Status line, the three panes, the key bar."""
        status = StatusBar(id="status")
        status.show_connection(self._status_parts())
        yield status
        with Horizontal(id="main"):
            yield RepositoriesPane("Repositories", id="repositories")
            with Vertical(id="right"):
                yield ImagesPane("Images", id="images")
                yield FindingsPane("Findings", id="findings")
        yield KeyBar(id="keybar")

    def on_mount(self) -> None:
        """Connect in the background so the first frame never waits on the network."""
        if self.keymap:
            self._apply_keymap()
        self.query_one("#repositories-table").focus()
        self.contexts.start()

    def _apply_keymap(self) -> None:
        known = {
            binding.id
            for _, bindings in self._key_sections()
            for binding in bindings
            if isinstance(binding, Binding) and binding.id
        }
        unknown = sorted(set(self.keymap) - known)
        if unknown:
            self.notify(
                f"Unknown binding ids in the config file: {', '.join(unknown)}. "
                "The help screen (?) lists keys; README lists their ids.",
                title="Config",
                severity="warning",
                timeout=12,
            )
        keymap = {k: v for k, v in self.keymap.items() if k in known}
        clashes = keymap_clashes(self._key_scopes(), keymap)
        if clashes:
            self.notify(
                "Keys in the config file that clash (only one of each can work there): "
                + "; ".join(clashes)
                + ". Give one of each another key in [keys].",
                title="Config",
                severity="warning",
                timeout=20,
            )
        self.set_keymap(keymap)

    def on_unmount(self) -> None:
        """Stop the reader process and the demo registry with the app."""
        self.reader.close()
        if self.demo_launch is not None:
            self.demo_launch.close()

    def on_service_ready(self, message: ServiceReady) -> None:
        """A first connection made in the background: start listing."""
        self.use_service(message.generation, message.service)

    def use_service(self, generation: int, service: EcrService) -> None:
        """Start listing repositories (and go back to where the user was in this context)."""
        if not self.contexts.is_current(generation):
            return  # a context switched away from
        self.service = service
        self.connection_problem = None
        self.contexts.restore()
        self.refresh_status()
        # Docker's SDK import and probe would compete with the first page: later.
        self.set_timer(1.5, lambda: self.docker.check(service))

    def on_account_known(self, message: AccountKnown) -> None:
        """Show who and where in the status line."""
        if not self.contexts.is_current(message.generation):
            return
        self.account = message.account
        if message.account.account_id:  # identified: the connection works
            self.connection_problem = None
        self.refresh_status()

    def _ecr_answered(self) -> None:
        """An ECR call succeeded: whatever the status line said was failing works now."""
        if self.connection_problem is None:
            return
        self.connection_problem = None
        if (self.account is None or not self.account.account_id) and self.service is not None:
            self.contexts.identify()
        self.refresh_status()

    def status_bar(self) -> StatusBar | None:
        """The status line; None while the app closes (a late answer has none to update)."""
        bars = self.query(StatusBar)
        return bars.first() if bars else None

    def refresh_status(self) -> None:
        if (status := self.status_bar()) is not None:
            status.show_connection(self._status_parts())

    def _account_from_repositories(self) -> str:
        """The account in the listed repositories' ARNs (when STS may not say it)."""
        panes = self.query(RepositoriesPane)  # (none yet while the screen is composed)
        repository = panes.first().table.current_row if panes else None
        return repository.account_id if repository is not None else ""

    def shown_account(self) -> AccountInfo | None:
        """The account the status line names: STS's, else the one in the repositories'
        ARNs (a private ECR endpoint does not serve STS); None while nobody is known."""
        account = self.account
        if account is not None and account.account_id:
            return account
        from_arns = self._account_from_repositories()
        if from_arns:
            if account is not None:
                return replace(account, account_id=from_arns)
            settings = self.service.settings if self.service else self.settings
            return AccountInfo(
                account_id=from_arns,
                region=settings.region or "",
                endpoint=settings.endpoint_label,
                profile=settings.profile,
            )
        if self.connection_problem is not None:
            return None  # nothing listed, nobody identified: not connected
        return account

    def _status_parts(self) -> list[Part]:
        """Who and where, ranked for a narrow line (see status_bar)."""
        parts = connection_parts(
            account=self.shown_account(),
            read_only=self.read_only,
            demo=self.settings.demo,
            problem=self.connection_problem,
            connecting_to=self.contexts.connecting_label()
            or (self.service.settings.endpoint_label if self.service else "…"),
        )
        switching = self.contexts.queue.status_part()  # (a profile being prepared)
        crumbs = breadcrumb_part(self.contexts.crumbs)
        return [*parts, *(part for part in (switching, crumbs) if part is not None)]

    # -- contexts (ui.contexts): the command bar and the palette call these ---------

    def profile_names(self) -> list[str]:
        """The AWS config's profiles, sorted."""
        return self.contexts.profile_names()

    def region_names(self) -> list[str]:
        """The current partition's regions where ECR is offered."""
        return self.contexts.region_names()

    def switch_context(self, *, profile: str | None = None, region: str | None = None) -> None:
        """Browse `profile` and/or `region`: returns at once, connects in the background;
        an unknown name is explained and changes nothing."""
        self.contexts.switch(profile=profile, region=region)

    def action_switch_profile(self) -> None:
        """Choose a profile from a filterable list."""
        self.contexts.pick_profile()

    def action_switch_region(self) -> None:
        """Choose a region of this partition from a filterable list."""
        self.contexts.pick_region()

    # -- the panes talk through the app ------------------------------------------

    def on_repositories_pane_chosen(self, message: RepositoriesPane.Chosen) -> None:
        """Show the chosen repository's images."""
        if self.service is None:
            return
        if self.account is None or not self.account.account_id:
            self.refresh_status()  # the account, from the repository's ARN
        self.query_one(ImagesPane).show(self.reader, message.repository)
        self.contexts.repository_opened(message.repository)
        if message.drill_in:
            self.query_one("#images-table").focus()

    def on_images_pane_chosen(self, message: ImagesPane.Chosen) -> None:
        """Show the chosen image's findings (an index's: its platforms')."""
        if self.service is None:
            return
        findings = self.query_one(FindingsPane)
        image = message.image
        platforms = (
            self.query_one(ImagesPane).platforms_of(image, message.drill_in) if image else []
        )
        if image is not None and platforms is None:
            # Chosen again once BatchGetImage has said what the index lists.
            label = image.tags[0] if image.tags else image.short_digest
            findings.show_nothing(f"Reading the platforms of {label}…")
        else:
            findings.show(self.reader, image, platforms=platforms or ())
        if message.drill_in:
            self.query_one("#findings-table").focus()

    def on_images_pane_show_details(self, message: ImagesPane.ShowDetails) -> None:
        """Open an image's details view."""
        from ecr_tui.ui.image_details import ImageDetailsScreen

        self.push_screen(
            ImageDetailsScreen(self.reader, message.repository, message.image, message.tree)
        )

    def on_findings_pane_scan_reported(self, message: FindingsPane.ScanReported) -> None:
        """The image's row says what its scan report says (scanning → counts)."""
        self.query_one(ImagesPane).update_scan(message.image, message.report)

    def on_findings_pane_open_finding(self, message: FindingsPane.OpenFinding) -> None:
        """Open a finding's details."""
        self.push_screen(FindingScreen(message.finding))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed background call becomes a readable notification."""
        if event.state is WorkerState.SUCCESS and event.worker.group in ECR_CALL_GROUPS:
            # Connecting succeeds without an identity (STS may be out of reach): that
            # says nothing of whether ECR answers.
            identified = self.account is not None and bool(self.account.account_id)
            if event.worker.group != "connect" or identified:
                self._ecr_answered()
        if event.state is not WorkerState.ERROR or isinstance(event.worker.error, ContextSwitched):
            return  # (a question of the context before: nobody waits for its answer)
        endpoint = self.service.settings.endpoint_url if self.service else None
        error = event.worker.error or Exception("unknown failure")
        problem = explain_error(error, endpoint)
        self.notify(problem.detail, title=problem.title, severity="error", timeout=12)
        if problem.title == "Credentials expired":
            self.contexts.renewal.token_refused()  # an MFA role's: a new code renews them
        if event.worker.group == "connect" or is_credential_problem(problem):
            self.connection_problem = problem
            self.refresh_status()
        if isinstance(error, DockerUnavailable) and self.service is not None:
            # The daemon went away, or its connection broke: ask it again, so that the
            # status bar stops saying "logged in" to a daemon that is gone.
            self.docker.check(self.service)

    # -- actions ----------------------------------------------------------------

    def action_refresh(self) -> None:
        """Reload everything that is shown, keeping the selection."""
        if self.service is None:
            self.contexts.connect()
            return
        if self.account is None:
            self.contexts.identify()
        repositories = self.query_one(RepositoriesPane)
        images = self.query_one(ImagesPane)
        findings = self.query_one(FindingsPane)
        repositories.reload()
        if images.repository is not None:
            images.show(self.reader, images.repository, force=True)
        if findings.image is not None:
            findings.show(self.reader, findings.image, force=True, platforms=findings.platforms)
        self.docker.check(self.service)

    def _key_sections(self) -> list[tuple[str, list[BindingType]]]:
        from ecr_tui.ui.fleet.keys import FLEET_KEY_SECTIONS

        return [
            ("Everywhere", [*self.BINDINGS, *NavigatingApp.BINDINGS]),
            ("Moving in a table", VirtualTable.BINDINGS),
            ("Any pane", Pane.BINDINGS),
            ("Repositories pane", RepositoriesPane.BINDINGS),
            ("Images pane", ImagesPane.BINDINGS),
            ("Findings pane", FindingsPane.BINDINGS),
            *FLEET_KEY_SECTIONS,
        ]

    def _key_scopes(self) -> list[tuple[str, list[BindingType]]]:
        """The bindings active together: each pane's, with the table's and the app's."""
        sections = dict(self._key_sections())
        shared = [*sections["Everywhere"], *sections["Moving in a table"], *sections["Any pane"]]
        return [
            (f"the {pane.split()[0].lower()} pane", [*shared, *sections[pane]])
            for pane in ("Repositories pane", "Images pane", "Findings pane")
        ]

    def action_help(self) -> None:
        """List every key."""
        self.push_screen(
            HelpScreen(
                self._key_sections(),
                read_only=self.read_only,
                keymap=self.keymap,
                about=self._about_rows(),
                commands=help_rows(),
            )
        )

    def _about_rows(self) -> list[tuple[str, str]]:
        """Where the app is connected, in full: the status line may shorten it."""
        rows = []
        account = self.account
        if account is not None:
            rows.append(("Account", account.account_id or "unknown"))
            if account.profile:
                rows.append(("Profile", account.profile))
            rows.append(("Region", account.region))
            demo = " (the demo registry)" if self.settings.demo else ""
            rows.append(("Endpoint", account.endpoint + demo))
        problem = self.connection_problem
        if problem is not None:
            state = "failing" if account is not None else "not connected"
            rows.append(("Connection", f"{state}: {problem}"))
        rows.append(("Docker", self.query_one(StatusBar).docker_text.removeprefix("docker: ")))
        rows.append(("Notifications", "the last ones again: ctrl+p, Notifications"))
        return rows

    def get_key_display(self, binding: Binding) -> str:
        """Keys in the key bar as the help and the README write them (`enter`, `ctrl+g`)."""
        return binding.key_display or key_name(binding.key.split(",")[0])

    # -- administration (flows in repository_, policy_ and image_actions.py) --------

    def action_create_repository(self) -> None:
        """Create a repository."""
        self.repository_actions.create_repository()

    def action_delete_repository(self) -> None:
        """Delete the selected repository."""
        self.repository_actions.delete_repository()

    def action_toggle_mutability(self) -> None:
        """Switch the selected repository between MUTABLE and IMMUTABLE."""
        self.repository_actions.toggle_tag_mutability()

    def action_toggle_scan_on_push(self) -> None:
        """Turn scan-on-push on or off."""
        self.repository_actions.toggle_scan_on_push()

    def action_edit_policy(self) -> None:
        """View or edit the repository policy."""
        self.policy_actions.edit_repository_policy()

    def action_edit_lifecycle(self) -> None:
        """View or edit the lifecycle policy."""
        self.policy_actions.edit_lifecycle_policy()

    def action_iam_policies(self) -> None:
        """Show the minimal IAM policies for the selected repository."""
        self.policy_actions.show_iam_policies()

    def action_mark_image(self) -> None:
        """Mark the selected image for deletion."""
        self.image_actions.toggle_mark()

    def action_delete_images(self) -> None:
        """Delete the marked or selected images."""
        self.image_actions.delete_images()

    def action_scan_image(self) -> None:
        """Start a scan of the selected image."""
        self.image_actions.start_scan()

    def action_archive_image(self) -> None:
        """Move the selected image to the archive storage class, or restore it."""
        self.image_actions.toggle_archive()

    def action_go_to_uri(self) -> None:
        """Jump to the repository and tag of a pasted URI."""
        self.repository_actions.go_to_uri()

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

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Save a screenshot where a folder exists (see `screenshot`); Textual says the path."""
        from ecr_tui.ui.screenshot import screenshot_folder

        folder = path or str(screenshot_folder())
        return super().deliver_screenshot(filename, folder, time_format)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette offers every action, not only keys (see `palette_commands`)."""
        yield from super().get_system_commands(screen)
        yield from palette_commands(
            self,
            self.query_one(RepositoriesPane),
            self.query_one(ImagesPane),
            self.query_one(FindingsPane),
            self.repository_actions,
            self.policy_actions,
            self.image_actions,
        )

    # -- Docker (flows in docker_actions.py) -------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Docker and navigation keys act on the main screen only, not under a dialog."""
        main_only = action.startswith(("docker_", "command_", "history_"))
        return not (main_only and isinstance(self.screen, ModalScreen))

    def action_docker_login(self) -> None:
        """Log the Docker daemon in to the registry with a fresh ECR token."""
        self.docker.login()

    def action_docker_store_login(self) -> None:
        """Save a login for the docker CLI as well (it needs no daemon), after asking."""
        self.docker.store_cli_login()

    def action_docker_push(self) -> None:
        """Choose a local image, then the repository and tag, then push it."""
        self.docker.push()

    def on_images_pane_image_action(self, message: ImagesPane.ImageAction) -> None:
        """Pull, retag or copy the image the user chose in the images pane."""
        if message.action == "replication":
            show_replication(self, message.repository, message.image)
        else:
            self.docker.image_action(message.action, message.repository, message.image)
