"""What the command bar's commands do: checked against what is loaded, then run.

`prepare` turns a line into what to run once the bar has closed, or a
`CommandError` (the bar stays open with it, and nothing changes): `:repo` is
matched against the loaded repositories, `:image` against the open
repository's tags and digests, `:profile` and `:region` against the app's
profiles and regions. The parsing and the matching are `ecr_tui.commands`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.screen import Screen

from ecr_tui.commands import (
    IMAGE,
    PROFILE,
    REGION,
    REPOSITORY,
    VULNERABILITY,
    Command,
    CommandError,
    image_argument_problem,
    parse,
    render,
    resolve,
    resolve_image,
)
from ecr_tui.core.models import Image, Repository
from ecr_tui.state import StateStore
from ecr_tui.ui.command_bar import CommandBarScreen, Prepared
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane

if TYPE_CHECKING:
    from ecr_tui.ui.app_host import AppHost
    from ecr_tui.ui.repository_actions import RepositoryActions

COMMAND_BAR = "command-bar"  # the installed bar's screen name


@runtime_checkable
class ContextSwitcher(Protocol):
    """An app that can list profiles and regions and switch to one without restarting."""

    def profile_names(self) -> list[str]: ...
    def region_names(self) -> list[str]: ...
    def switch_context(self, *, profile: str | None = None, region: str | None = None) -> None: ...


@runtime_checkable
class VulnerabilityOpener(Protocol):
    """An app with the vulnerabilities view, which can land on one vulnerability."""

    def open_vulnerability(self, cve_id: str) -> None: ...


class CommandRunner:
    """Opens the command bar and runs what it hands back."""

    def __init__(
        self,
        app: AppHost,
        state: StateStore,
        repository_actions: Callable[[], RepositoryActions],
        show_help: Callable[[], None],
    ) -> None:
        self.app = app
        self.state = state
        self._repository_actions = repository_actions
        self._show_help = show_help
        self._bar: CommandBarScreen | None = None  # made when first opened, then kept

    def open(self, initial: str = "") -> None:
        """Show the bar (with `initial` typed in it)."""

        def ran(prepared: Prepared | None) -> None:
            if prepared is not None:
                prepared()
            # A profile prepared while the bar was open enters now, this command on top.
            self.app.contexts.queue.command_ran()

        if self._bar is None:
            self._bar = CommandBarScreen(self.prepare, self.candidates, (), "")
            self.app.install_screen(self._bar, COMMAND_BAR)
        self._bar.reopen(self.state.command_history(), initial)
        self.app.push_screen(COMMAND_BAR, ran)

    # -- what the app knows -------------------------------------------------------------

    @property
    def _main(self) -> Screen[object]:
        """The panes' screen (the bar is in front of it while it is open)."""
        return self.app.screen_stack[0]

    def _repositories(self) -> RepositoriesPane:
        return self._main.query_one(RepositoriesPane)

    def _images(self) -> ImagesPane:
        return self._main.query_one(ImagesPane)

    def candidates(self) -> dict[str, list[str]]:
        """What each kind of argument can be, for the completion."""
        repositories: list[Repository] = self._repositories().table.all_rows
        images: list[Image] = self._images().table.all_rows
        found = {
            REPOSITORY: [repository.name for repository in repositories],
            IMAGE: [
                *(tag for image in images for tag in image.tags),
                *(image.digest for image in images),
            ],
        }
        # The vulnerabilities of the findings on screen: the usual way to one.
        findings = self.app.query(FindingsPane)
        if findings:
            shown = findings.first().table.all_rows
            found[VULNERABILITY] = sorted({finding.name for finding in shown})
        app = self.app
        if isinstance(app, ContextSwitcher):
            found[PROFILE] = app.profile_names()
            found[REGION] = app.region_names()
        return found

    # -- running ------------------------------------------------------------------------

    def prepare(self, line: str) -> Prepared | CommandError:
        """What `line` does, checked now; or why it cannot run."""
        command = parse(line)
        if isinstance(command, CommandError):
            return command
        action = self._action(command)
        if isinstance(action, CommandError):
            return action

        def run() -> None:
            self.state.add_command(render(command))
            action()

        return run

    def _action(self, command: Command) -> Prepared | CommandError:
        name, argument = command.name, command.argument
        if name == "help":
            return self._show_help
        if name == "quit":
            return self.app.exit
        if name == "uri":
            from ecr_tui.ui.repository_actions import reference_problem

            problem = reference_problem(argument)
            if problem:
                return CommandError(problem)
            return lambda: self._repository_actions().go_to_reference(argument)
        if name == "repo":
            return self._open_repository(command)
        if name == "image":
            return self._open_image(argument)
        if name == "cve":
            return self._open_vulnerability(command)
        return self._switch(command)

    def _open_vulnerability(self, command: Command) -> Prepared | CommandError:
        app = self.app
        if not isinstance(app, VulnerabilityOpener):
            return CommandError("the vulnerabilities view is not available")
        target = resolve(command, [])
        if isinstance(target, CommandError):
            return target
        return lambda: app.open_vulnerability(target)

    def _open_repository(self, command: Command) -> Prepared | CommandError:
        pane = self._repositories()
        names = [repository.name for repository in pane.table.all_rows]
        target = resolve(command, names)
        if isinstance(target, CommandError) and pane.is_loading:
            return CommandError(
                f"no repository {command.argument} among the {len(names):,} listed so far:"
                " the repositories are still loading"
            )
        if isinstance(target, CommandError):
            return target
        return lambda: self._repository_actions().open_repository(target)

    def _open_image(self, argument: str) -> Prepared | CommandError:
        pane = self._images()
        repository = pane.repository
        if repository is None:
            return CommandError("no repository is open: :repo NAME first")
        problem = image_argument_problem(argument)
        if problem is not None:  # no image can have it, loaded or not
            return CommandError(problem)
        images: list[Image] = pane.table.all_rows
        tags = [tag for image in images for tag in image.tags]
        target = resolve_image(argument, tags, [image.digest for image in images])
        if isinstance(target, CommandError):
            if not pane.is_loading:
                return CommandError(f"{target} in {repository.name}", target.suggestion)
            # Not listed yet: the images pane looks for it on the pages to come.
            target = argument
        digest = target if target.startswith("sha256:") else None
        tag = None if digest else target
        return lambda: self._repository_actions().open_repository(repository.name, tag, digest)

    def _switch(self, command: Command) -> Prepared | CommandError:
        app = self.app
        kind = command.spec.argument
        if not isinstance(app, ContextSwitcher):
            noun = "profiles" if kind == PROFILE else "regions"
            return CommandError(f"switching {noun} is not available")
        names = app.profile_names() if kind == PROFILE else app.region_names()
        target = resolve(command, names)
        if isinstance(target, CommandError):
            return target
        if kind == PROFILE:
            return lambda: app.switch_context(profile=target)
        return lambda: app.switch_context(region=target)
