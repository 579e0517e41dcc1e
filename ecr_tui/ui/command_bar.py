"""The command bar: `:` opens one line at the bottom (as in k9s, vim and less).

Tab completes what is typed (the command, then its argument: a repository, a
tag, a profile, a region) and, pressed again, cycles through the candidates,
which are listed above the line; up and down go through the commands run
before; enter runs the line; esc closes the bar. A line that cannot run (an
unknown command, a repository that is not there) leaves the bar open with a
one-line reason and the closest match, and changes nothing.

The language is `ecr_tui.commands`; what a command does, `command_runner`.
The bar is a screen of its own, so that keys typed after `:` in one burst go
into its line (see `key_order`), and the panes behind it take none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ecr_tui.commands import CommandError, common_prefix, complete

# A command that passed its checks, ready to run once the bar has closed.
Prepared = Callable[[], None]


class CommandBarScreen(ModalScreen[Prepared | None]):
    """One line for a command; hands back what to run, or None (esc)."""

    DEFAULT_CSS = """
    CommandBarScreen {
        align: left bottom;
        background: transparent;
    }
    CommandBarScreen > #command-bar {
        width: 100%;
        height: auto;
        background: $panel;
    }
    CommandBarScreen #command-candidates {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        display: none;
    }
    CommandBarScreen #command-candidates.-shown {
        display: block;
    }
    CommandBarScreen #command-candidates.-error {
        color: $text-error;
        height: auto;
    }
    CommandBarScreen #command-line {
        height: 1;
    }
    CommandBarScreen #command-prompt {
        width: 1;
        margin-left: 1;
        text-style: bold;
    }
    CommandBarScreen #command-input {
        width: 1fr;
    }
    """

    # Priority: the field would take tab (to the next widget) and the arrows otherwise.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", priority=True, id="command.close"),
        Binding("tab", "complete(1)", "Complete", priority=True, id="command.complete"),
        Binding("shift+tab", "complete(-1)", "Previous", priority=True, id="command.previous"),
        Binding("up", "history(-1)", "Earlier command", priority=True, id="command.earlier"),
        Binding("down", "history(1)", "Later command", priority=True, id="command.later"),
    ]

    def __init__(
        self,
        prepare: Callable[[str], Prepared | CommandError],
        candidates: Callable[[], Mapping[str, Sequence[str]]],
        history: Sequence[str],
        initial: str = "",
    ) -> None:
        super().__init__()
        self.prepare = prepare
        self.candidates = candidates
        self.history = list(history)
        self.initial = initial
        self._history_at = len(self.history)
        self._draft = ""  # what was typed before up went into the history
        # The candidates tab cycles through, and the one shown now.
        self._cycle: list[str] = []
        self._cycle_at = -1

    def compose(self) -> ComposeResult:
        """The candidates (or the error), then `:` and the line."""
        with Vertical(id="command-bar"):
            yield Static(id="command-candidates")
            with Horizontal(id="command-line"):
                yield Label(":", id="command-prompt")
                yield Input(self.initial, id="command-input", compact=True)

    def reopen(self, history: Sequence[str], initial: str = "") -> None:
        """Ready for another command, before the bar is shown again.

        One bar is kept for the app's life (installed, see CommandRunner): removing a
        closed bar's widgets would lay the panes' screen out twice more, frames that
        the first rows of a context switched to would wait behind.
        """
        self.history = list(history)
        self.initial = initial
        self._history_at = len(self.history)
        self._draft = ""
        self._cycle, self._cycle_at = [], -1

    def on_screen_resume(self) -> None:
        """Shown (again): the line holds `initial`; one opened with a command in it (from
        the palette) lists its arguments."""
        self._set(self.initial)
        self._list(complete(self.initial, self.candidates()) if self.initial else [])
        self.field.focus()

    @property
    def field(self) -> Input:
        """The line typed into."""
        return self.query_one("#command-input", Input)

    @property
    def value(self) -> str:
        """What is typed."""
        return self.field.value

    def _set(self, value: str) -> None:
        field = self.field
        field.value = value
        field.cursor_position = len(value)

    # -- what is shown above the line ----------------------------------------------------

    def _say(self, text: Text | str | None, *, error: bool = False) -> None:
        line = self.query_one("#command-candidates", Static)
        line.update(text or "")
        line.set_class(bool(text), "-shown")
        line.set_class(error, "-error")

    def _list(self, lines: Sequence[str], current: int = -1) -> None:
        """The candidates on one line: their last word (the argument, or the command), the
        current one reversed, from a start that keeps it in view; the rest counted."""
        if not lines:
            self._say(None)
            return
        words = [line.rstrip().rsplit(" ", 1)[-1] for line in lines]
        room = self.app.size.width - 2 - len(f"+{len(words)} more")
        start = 0
        while current >= 0 and sum(len(w) + 2 for w in words[start : current + 1]) > room:
            start += 1
        text, used, shown = Text(), 0, 0
        for index in range(start, len(words)):
            if used + len(words[index]) + 2 > room and shown:
                break
            text.append(words[index], "reverse" if index == current else "")
            text.append("  ")
            used += len(words[index]) + 2
            shown += 1
        rest = len(words) - shown
        if rest:
            text.append(f"+{rest} more", "italic")
        self._say(text)

    @on(Input.Changed, "#command-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self.value:
            return  # a value tab or up set, and then set another: the last one counts
        if self._cycle and event.value == self._cycle[self._cycle_at]:
            return  # set by tab: the list stays, with this one marked
        self._cycle, self._cycle_at = [], -1
        self._list(complete(event.value, self.candidates()) if event.value.strip() else [])

    # -- keys ------------------------------------------------------------------------------

    def action_complete(self, step: int) -> None:
        """Complete as far as the candidates agree; then cycle through them."""
        if self._cycle:
            self._cycle_at = (self._cycle_at + step) % len(self._cycle)
            self._set(self._cycle[self._cycle_at])
            self._list(self._cycle, self._cycle_at)
            return
        value = self.value
        lines = complete(value, self.candidates())
        if not lines:
            self._say("nothing to complete here", error=True)
            return
        if len(lines) == 1:
            self._set(lines[0])
            self._list(complete(lines[0], self.candidates()) if lines[0].endswith(" ") else [])
            return
        prefix = common_prefix(lines)
        if len(prefix) > len(value) and prefix.startswith(value):
            self._set(prefix)
            return
        self._cycle = lines
        self._cycle_at = 0 if step > 0 else len(lines) - 1
        self._set(lines[self._cycle_at])
        self._list(lines, self._cycle_at)

    def action_history(self, step: int) -> None:
        """An earlier (up) or later (down) command; past the last, what was being typed."""
        at = self._history_at + step
        if not 0 <= at <= len(self.history):
            return
        if self._history_at == len(self.history):
            self._draft = self.value
        self._history_at = at
        self._set(self.history[at] if at < len(self.history) else self._draft)

    def action_close(self) -> None:
        """Close the bar; nothing runs."""
        self.dismiss(None)

    @on(Input.Submitted, "#command-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        prepared = self.prepare(event.value)
        if isinstance(prepared, CommandError):
            self._say(str(prepared), error=True)
            return
        self.dismiss(prepared)
