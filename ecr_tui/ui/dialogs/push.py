"""The two dialogs before a push: which local image, then which repository and tag.

`LocalImagePickerScreen` lists the Docker daemon's images (read in a thread
worker; a failure closes it and is passed to the app to be explained) in the
same virtual table as the panes, with `/` to filter. `PushTargetScreen` asks
for the repository and tag, checking both as they are typed with the rules
ECR applies, so what it accepts is what ECR would take.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from ecr_tui.core.names import docker_tag_problem, image_tag_problem, repository_name_problem
from ecr_tui.ui.dialogs.shared import close_on_failure, dialog_css, show_message
from ecr_tui.ui.format import Palette, human_size, short_age
from ecr_tui.ui.table.cells import Cell
from ecr_tui.ui.table.columns import Column
from ecr_tui.ui.table.filter_box import FilterBox, FilterKeys
from ecr_tui.ui.table.widget import VirtualTable

if TYPE_CHECKING:
    from ecr_tui.core.docker.local_docker import LocalImage


def local_image_label(image: LocalImage) -> str:
    """How a local image is named to the user: `repo:tag`, or its id when untagged."""
    return image.image_id if image.repository == "<none>" else image.reference


def render_local_image(image: LocalImage, palette: Palette) -> list[Cell]:
    """One row of the picker."""
    return [
        image.repository,
        image.tag,
        image.image_id,
        human_size(image.size_bytes),
        short_age(image.created_at),
    ]


class LocalImagePickerScreen(FilterKeys, ModalScreen["LocalImage | None"]):
    """Choose one of the daemon's images; the LocalImage, or None."""

    DEFAULT_CSS = dialog_css(
        "LocalImagePickerScreen",
        """
        LocalImagePickerScreen > .dialog { height: 80%; }
        LocalImagePickerScreen .filter { display: none; }
        """,
        width=90,
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        FilterKeys.filter_binding("picker.filter"),
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
    ]

    class Loaded(Message):
        """The daemon's images, newest first."""

        def __init__(self, images: list[LocalImage]) -> None:
            super().__init__()
            self.images = images

    def __init__(self, load: Callable[[], list[LocalImage]]) -> None:
        super().__init__()
        self._load_images = load
        self._worker: Worker[None] | None = None
        self.table: VirtualTable[LocalImage] = VirtualTable(
            [
                Column("Repository", 24, flexible=True),
                Column("Tag", 16),
                Column("Image ID", 12),
                Column("Size", 9, align="right"),
                Column("Created", 7),
            ],
            render_local_image,
            lambda image: f"{image.reference} {image.image_id}",
            empty_text="Reading Docker's images…",
            id="picker-table",
        )
        self.filter_box = FilterBox(self.table)

    def compose(self) -> ComposeResult:
        """The images, the filter box, the keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = "Push: choose a local image"
            yield self.table
            yield self.filter_box
            yield Static("enter chooses · / filters · esc cancels", classes="hint")

    def on_mount(self) -> None:
        """Read the images in the background; keys typed meanwhile wait for them."""
        self.table.focus()
        self.table.expect_rows(True)
        self._worker = self._load()

    @work(thread=True, exclusive=True, group="local-images", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(self._load_images()))

    def on_local_image_picker_screen_loaded(self, message: Loaded) -> None:
        """Fill the table."""
        self.table.empty_text = "Docker has no images: build or pull one first."
        self.table.set_rows(message.images)
        self.table.expect_rows(False)
        self.query_one(".dialog").border_subtitle = f"{len(message.images)} images"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Without the list there is nothing to choose: close (the app explains why)."""
        if event.worker is self._worker and event.state is WorkerState.ERROR:
            self.table.expect_rows(False)
            close_on_failure(self, event)

    @on(VirtualTable.RowSelected, "#picker-table")
    def _chosen(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.dismiss(event.row)

    def action_cancel(self) -> None:
        """Choose nothing (in the filter box, escape clears the filter instead)."""
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class PushTarget:
    """Where to push: a repository of the registry, and the tag to give the image."""

    repository: str
    tag: str


class PushTargetScreen(ModalScreen[PushTarget | None]):
    """Ask for the repository and tag to push a local image to; the PushTarget, or None."""

    DEFAULT_CSS = dialog_css(
        "PushTargetScreen",
        """
        PushTargetScreen .row { height: auto; margin-top: 1; }
        PushTargetScreen .row > Label { width: 12; color: $text-muted; }
        PushTargetScreen .row > Input { width: 1fr; }
        PushTargetScreen .message { margin-left: 12; }
        """,
        width=90,
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="push.cancel"),
    ]

    def __init__(
        self, source: LocalImage, repository: str, repository_names: Sequence[str]
    ) -> None:
        super().__init__()
        self.source = source
        self.initial_repository = repository
        self.repository_names = list(repository_names)

    def compose(self) -> ComposeResult:
        """Repository, tag, their messages, the keys."""
        initial_tag = "" if self.source.tag == "<none>" else self.source.tag
        with Vertical(classes="dialog") as box:
            box.border_title = f"Push {local_image_label(self.source)}"
            with Horizontal(classes="row"):
                yield Label("Repository")
                yield Input(
                    self.initial_repository,
                    placeholder="team/app",
                    suggester=SuggestFromList(self.repository_names, case_sensitive=True),
                    id="push-repository",
                    compact=True,
                )
            yield Static(classes="message", id="push-repository-message")
            with Horizontal(classes="row"):
                yield Label("Tag")
                yield Input(initial_tag, placeholder="1.0.0", id="push-tag", compact=True)
            yield Static(classes="message", id="push-tag-message")
            yield Static(
                "enter: to the tag, then push · esc cancels",
                classes="hint",
            )

    def on_mount(self) -> None:
        """Start at the tag: the repository is usually the one already open."""
        self.query_one("#push-tag" if self.initial_repository else "#push-repository").focus()

    def _problems(self) -> dict[str, str]:
        tag = self._value("push-tag")
        problems = {
            "push-repository": repository_name_problem(self._value("push-repository")),
            # Docker does the push: a tag it refuses cannot work, though ECR would take it.
            "push-tag": image_tag_problem(tag) or docker_tag_problem(tag),
        }
        return {field: problem for field, problem in problems.items() if problem}

    def _value(self, input_id: str) -> str:
        return self.query_one(f"#{input_id}", Input).value.strip()

    def _show(self, input_id: str, problem: str | None) -> None:
        show_message(self.query_one(f"#{input_id}-message", Static), problem)
        self.query_one(f"#{input_id}", Input).set_class(bool(problem), "-invalid")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        input_id = event.input.id or ""
        self._show(input_id, self._problems().get(input_id))

    @on(Input.Submitted, "#push-repository")
    def _repository_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#push-tag").focus()

    @on(Input.Submitted, "#push-tag")
    def _tag_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problems = self._problems()
        if not problems:
            self.dismiss(PushTarget(self._value("push-repository"), self._value("push-tag")))
            return
        for input_id in ("push-repository", "push-tag"):
            self._show(input_id, problems.get(input_id))
        self.query_one(f"#{next(iter(problems))}").focus()

    def action_cancel(self) -> None:
        """Push nothing."""
        self.dismiss(None)
