"""Getting around: the command bar (`:`), back and forward (`[` `]`), going to an image.

`NavigatingApp` is the part of the app that moves the user somewhere else
rather than changing ECR: its keys, and the flows they start. `EcrApp`
subclasses it; the command language is `ecr_tui.commands`, what the commands
do is `command_runner`, the places opened are kept by `history`.

It hears what the panes open through the same messages as `EcrApp` (Textual
runs the handler of each class, the subclass's first): by then the panes
show what was opened, and the history only notes it.
"""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from ecr_tui.core.errors import UserFacingError
from ecr_tui.state import StateStore
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.background import run_then
from ecr_tui.ui.history import History, Place
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.image_rows import image_label
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane

if TYPE_CHECKING:
    from ecr_tui.ui.command_runner import CommandRunner
    from ecr_tui.ui.repository_actions import RepositoryActions


class NavigatingApp(AppHost):
    """The app's keys and flows that go somewhere: the command bar, go to an image."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("colon", "command_bar", "Command", id="app.command_bar"),
        Binding(
            "left_square_bracket",
            "history_back",
            "Back to what was open before (in this profile and region)",
            show=False,
            id="app.history_back",
        ),
        Binding(
            "right_square_bracket",
            "history_forward",
            "Forward again (in this profile and region)",
            show=False,
            id="app.history_forward",
        ),
    ]

    # What is remembered between runs (the command history); EcrApp sets it.
    state: StateStore

    @functools.cached_property
    def history(self) -> History:
        """The places opened, for back and forward."""
        return History()

    def on_mount(self) -> None:
        """Say once why the state file is not used (it is left as it is); mark favourites."""
        if self.state.problem:
            self.notify(self.state.problem, title="State file", severity="warning", timeout=10)
        self.show_favourites()

    # -- favourite repositories, per profile ----------------------------------------------

    @property
    def favourites_profile(self) -> str:
        """The profile favourites are kept under: as the config file names it (see
        `config.load_settings`), "default" when none is given."""
        return self.settings.profile or os.environ.get("AWS_PROFILE") or "default"

    def show_favourites(self) -> None:
        """Mark the current profile's favourites (again, after switching profile)."""
        pane = self.screen_stack[0].query_one(RepositoriesPane)
        pane.set_favourites(self.state.favourites(self.favourites_profile))

    def action_toggle_favourite(self) -> None:
        """Mark the highlighted repository as a favourite, or unmark it."""
        pane = self.screen_stack[0].query_one(RepositoriesPane)
        repository = pane.table.current_row
        if repository is None:
            self.notify("Choose a repository first.", severity="warning", timeout=3)
            return
        profile = self.favourites_profile
        favourite = repository.name not in pane.favourites
        self.state.set_favourite(profile, repository.name, favourite)
        self.show_favourites()
        done = "is a favourite" if favourite else "is no longer a favourite"
        where = f"{repository.name} {done} (profile {profile})"
        if self.state.problem:
            self.notify(f"{where}, for this run only: {self.state.problem}", severity="warning")
        else:
            self.notify(where + ".", timeout=3)

    def action_help(self) -> None:
        """Every key (EcrApp shows them)."""
        raise NotImplementedError

    @functools.cached_property
    def repository_actions(self) -> RepositoryActions:
        """Repository administration and go-to, loaded on the first key that asks for it."""
        from ecr_tui.ui.repository_actions import RepositoryActions

        return RepositoryActions(self)

    @functools.cached_property
    def commands(self) -> CommandRunner:
        """The command bar, loaded when it is first opened."""
        from ecr_tui.ui.command_runner import CommandRunner

        return CommandRunner(self, self.state, lambda: self.repository_actions, self.action_help)

    def action_command_bar(self, initial: str = "") -> None:
        """Open the command bar (with `initial` typed in it)."""
        self.commands.open(initial)

    # -- back and forward ------------------------------------------------------------

    def on_repositories_pane_chosen(self, message: RepositoriesPane.Chosen) -> None:
        """A repository opened (enter, :repo, a go-to) is a place to come back to."""
        if message.drill_in:
            name = message.repository.name
            here = Place("repositories", name, context=self.context_key)
            self.history.opened(replace(here, pane="images"), came_from=here)

    def on_images_pane_chosen(self, message: ImagesPane.Chosen) -> None:
        """An image opened is a place; the cursor resting on one is remembered."""
        image = message.image
        if image is None:
            return
        label = image_label(image)
        here = Place("images", image.repository, image.digest, label, context=self.context_key)
        # The images left remember the one opened: the cursor may not have rested on it.
        self.history.moved(here)
        if message.drill_in:
            self.history.opened(replace(here, pane="findings"), came_from=here)

    def on_findings_pane_open_finding(self, message: FindingsPane.OpenFinding) -> None:
        """A finding opened is a place."""
        image = self.screen_stack[0].query_one(FindingsPane).image
        if image is not None:
            label, finding = image_label(image), message.finding.name
            place = Place(
                "finding", image.repository, image.digest, label, finding, self.context_key
            )
            self.history.opened(place)

    @property
    def context_key(self) -> tuple[str, ...]:
        """Which registry the panes show: a place opened in another is not restored here."""
        settings = self.settings
        return (settings.profile or "", settings.region or "", settings.endpoint_url or "")

    def action_history_back(self) -> None:
        """Back to what was open before."""
        self._history_step(-1)

    def action_history_forward(self) -> None:
        """Forward again, after going back."""
        self._history_step(1)

    def _history_step(self, direction: int) -> None:
        # Places opened in other contexts are passed over (a browser's tabs each
        # keep their own history): back goes to this context's previous place.
        step = self.history.nearest(direction, self.context_key)
        place = self.history.peek(step) if step is not None else None
        if step is None or place is None:
            nothing = "Nothing to go back to" if direction < 0 else "Nothing ahead"
            elsewhere = self.history.peek(direction)
            if elsewhere is None:
                self.notify(f"{nothing}.", timeout=3)
                return
            profile, region, _ = elsewhere.context
            where = f"profile {profile or 'default'}, {region or 'its region'}"
            self.notify(
                f"{nothing} here: {elsewhere.repository} was opened in {where} "
                "(switch to it to go there).",
                title="History",
                timeout=6,
            )
            return
        problem = self._place_problem(place)
        if problem is None and self._image_unlisted(place):
            # Its repository's images are not all listed here: ECR says whether it is
            # still there before anything moves (keys typed meanwhile wait, 2 s at most).
            run_then(
                self,
                lambda: self._ask_image(place),
                lambda gone: self._step_to(step, place, gone),
                group="history",
                wait_for_ui=True,
                asks_next=True,
                description=f"Looking for {place.image_label} in {place.repository}",
            )
            return
        self._step_to(step, place, problem)

    def _step_to(self, step: int, place: Place, problem: str | None) -> None:
        """Show `place`, the one `step` away; or say why not and change nothing."""
        if self.history.peek(step) is not place:
            return  # the history moved on while ECR was asked
        problem = problem or self._place_problem(place)
        if problem:
            self.notify(problem, title="History", severity="warning", timeout=6)
            return
        self._restore(place)
        self.history.go(step)

    def _place_problem(self, place: Place) -> str | None:
        """Why `place` cannot be shown, as far as what is listed tells; None if it can."""
        if place.context != self.context_key:
            profile, region, _ = place.context
            where = f"profile {profile or 'default'}, {region or 'its region'}"
            return f"{place.repository} was opened in {where}: switch back to it first."
        main = self.screen_stack[0]
        repositories, images = main.query_one(RepositoriesPane), main.query_one(ImagesPane)
        if repositories.table.find_row(lambda row: row.name == place.repository) is None:
            if repositories.is_loading:
                return f"{place.repository} is not listed yet: the repositories are loading."
            return f"{place.repository} is gone from the registry: nothing changed."
        wanted = place.image if place.pane != "repositories" else None
        shown = images.repository is not None and images.repository.name == place.repository
        listed = shown and not images.is_loading
        if wanted and listed and images.table.find_row(lambda row: row.digest == wanted) is None:
            return f"{place.image_label} is gone from {place.repository}: nothing changed."
        return None

    def _image_unlisted(self, place: Place) -> bool:
        """Whether `place` has an image that the images pane has not listed (yet)."""
        if place.image is None or place.pane == "repositories":
            return False
        images = self.screen_stack[0].query_one(ImagesPane)
        shown = images.repository is not None and images.repository.name == place.repository
        return not (shown and images.table.find_row(lambda row: row.digest == place.image))

    def _ask_image(self, place: Place) -> str | None:
        """In a thread: why `place`'s image cannot be shown (it has gone), or None."""
        assert place.image is not None
        try:
            self.reader.image_details(place.repository, place.image)
        except UserFacingError as error:
            if error.problem.title not in ("Image not found", "Repository not found"):
                raise
            return f"{place.image_label} is gone from {place.repository}: nothing changed."
        return None

    def _restore(self, place: Place) -> None:
        """Show `place` again: its repository, image and finding, the focus in its pane."""
        main = self.screen_stack[0]
        repositories = main.query_one(RepositoriesPane)
        images, findings = main.query_one(ImagesPane), main.query_one(FindingsPane)
        repository = repositories.table.find_row(lambda row: row.name == place.repository)
        if repository is None:
            return  # (checked by `_place_problem` just before)
        # As a go-to does: no rest on the repository passed opens it meanwhile.
        repositories.cancel_follow()
        repositories.forget_wanted()
        if not repositories.table.move_to(repository):
            repositories.clear_filter()  # the filter hid it
            repositories.table.move_to(repository)
        if place.pane == "repositories":
            repositories.table.focus()
            return
        wanted = place.image
        if wanted:
            images.go_to(
                self.reader, repository, lambda row: row.digest == wanted, place.image_label
            )
        else:
            images.show(self.reader, repository)
        if place.pane == "images":
            images.table.focus()
            return
        findings.table.focus()
        shown_image = findings.image
        if place.finding and shown_image is not None and shown_image.digest == wanted:
            row = findings.table.find_row(lambda finding: finding.name == place.finding)
            if row is not None:
                findings.table.move_to(row)
