"""The modal screen a push or pull runs under: each layer's progress and the total.

The screen runs the transfer itself, in a thread worker, and hands back a
`TransferDone` when it ends (or None when it failed: the screen passes the
failed worker to the app, whose one handler explains it as for any other
background call). The daemon
sends a progress message per layer every few kilobytes; they reach the screen
as messages that replace each other, so a burst costs one repaint.

Escape asks the transfer to stop: the core closes the daemon's stream at its
next message, which makes Docker abandon the transfer. A second escape leaves
at once, for a daemon that has gone quiet.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static
from textual.worker import Worker, WorkerState

from ecr_tui.ui.dialogs.shared import close_on_failure, dialog_css
from ecr_tui.ui.format import human_size

if TYPE_CHECKING:
    from collections.abc import Callable

    from ecr_tui.core.docker.progress import LayerProgress, TransferProgress, TransferResult

    # A transfer to run: it reports progress and polls whether to stop.
    TransferJob = Callable[[Callable[[TransferProgress], None], Callable[[], bool]], TransferResult]


@dataclass(frozen=True, slots=True)
class TransferDone:
    """A transfer that ended without an error (possibly cancelled), and how long it took."""

    result: TransferResult
    seconds: float


class TransferScreen(ModalScreen[TransferDone | None]):
    """Run one push or pull and show where every layer stands."""

    DEFAULT_CSS = dialog_css(
        "TransferScreen",
        """
        TransferScreen #transfer-message {
            height: 1;
            color: $text-muted;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        TransferScreen #transfer-scroll {
            height: auto;
            max-height: 12;
            margin-top: 1;
        }
        TransferScreen #transfer-total {
            margin-top: 1;
        }
        """,
        width=84,
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="transfer.cancel"),
    ]

    class Progress(Message):
        """Where the transfer stands; a newer one makes an unprocessed older one moot."""

        def __init__(self, progress: TransferProgress) -> None:
            super().__init__()
            self.progress = progress

        def can_replace(self, message: Message) -> bool:
            """A later snapshot says everything an earlier one did."""
            return isinstance(message, TransferScreen.Progress)

    def __init__(self, title: str, job: TransferJob) -> None:
        super().__init__()
        self.title_text = title
        self._job = job
        self._stop_requested = threading.Event()
        self._started = time.monotonic()
        self._worker: Worker[TransferResult] | None = None
        self.progress: TransferProgress | None = None

    def compose(self) -> ComposeResult:
        """The daemon's latest word, the layers, the total, the keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Static("Connecting to Docker…", id="transfer-message", markup=False)
            with VerticalScroll(id="transfer-scroll"):
                yield Static("", id="transfer-layers")
            yield ProgressBar(id="transfer-total", show_eta=False)
            yield Static("", id="transfer-bytes")
            yield Static("esc cancels", classes="hint", id="transfer-hint")

    def on_mount(self) -> None:
        """Start the transfer as soon as the screen shows."""
        self._started = time.monotonic()
        self._worker = self._run()

    @work(thread=True, exclusive=True, group="transfer", exit_on_error=False)
    def _run(self) -> TransferResult:
        return self._job(self._report, self._stop_requested.is_set)

    def _report(self, progress: TransferProgress) -> None:
        self.post_message(self.Progress(progress))

    def on_transfer_screen_progress(self, message: Progress) -> None:
        """Show the latest snapshot."""
        self.progress = progress = message.progress
        if progress.message and not self._stop_requested.is_set():
            self.query_one("#transfer-message", Static).update(progress.message)
        self.query_one("#transfer-layers", Static).update(layers_table(progress.layers))
        bar = self.query_one("#transfer-total", ProgressBar)
        if progress.bytes_total:
            bar.update(total=progress.bytes_total, progress=progress.bytes_done)
        elif progress.finished:
            bar.update(total=1, progress=1)  # every layer was there already
        seconds = time.monotonic() - self._started
        self.query_one("#transfer-bytes", Static).update(
            f"{human_size(progress.bytes_done)} of {human_size(progress.bytes_total)}"
            f" · {layer_count(len(progress.layers))} · {seconds:.1f} s"
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Close when the transfer ends; a failure goes to the app to be explained."""
        if event.worker is not self._worker:
            return
        if event.state is WorkerState.SUCCESS and event.worker.result is not None:
            self.dismiss(TransferDone(event.worker.result, time.monotonic() - self._started))
        elif event.state is WorkerState.ERROR:
            close_on_failure(self, event)
        elif event.state is WorkerState.CANCELLED:
            self.dismiss(None)

    def action_cancel(self) -> None:
        """First press: ask the transfer to stop. Second press: leave without waiting."""
        if not self._stop_requested.is_set():
            self._stop_requested.set()
            self.query_one("#transfer-message", Static).update("Cancelling…")
            self.query_one("#transfer-hint", Static).update("esc again closes without waiting")
            return
        if self._worker is not None:
            self._worker.cancel()
        self.dismiss(None)


def layer_count(count: int) -> str:
    """`1 layer`, `3 layers`."""
    return f"{count} layer" if count == 1 else f"{count} layers"


def layers_table(layers: tuple[LayerProgress, ...]) -> Table:
    """One line per layer: short id, the daemon's status, bytes and percent when known."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, width=20)
    table.add_column(no_wrap=True, justify="right")
    table.add_column(no_wrap=True, justify="right", width=4)
    for layer in layers:
        fraction = 1.0 if layer.done and layer.total else layer.fraction
        size = (
            f"{human_size(layer.current)} / {human_size(layer.total)}"
            if layer.total and not layer.done
            else human_size(layer.total)
            if layer.total
            else ""
        )
        percent = f"{fraction:.0%}" if fraction is not None else ""
        table.add_row(
            Text(layer.layer_id[:12]), Text(layer.status, overflow="ellipsis"), size, percent
        )
    return table
