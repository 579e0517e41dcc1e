"""The one line at the bottom that lists the keys working where the focus is."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Static

# The action whose key lists every key: kept on a bar too narrow for all of them.
HELP_ACTION = "help"
# The keys the bar offers that change ECR: not offered in a read-only context (they
# would only say why not; the help screen still lists them).
CHANGES_ECR = frozenset({"repositories.create"})


class KeyBar(Static):
    """The keys that work here, one line: a text update on focus change, not a recompose.

    A key's label is shown whole or not at all: on a narrow bar the entries that do
    not fit are left out, from the last (the bindings are listed most useful first),
    and `?` (which lists every key) stays, last.
    """

    DEFAULT_CSS = "KeyBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }"

    def on_mount(self) -> None:
        """Follow the bindings of whatever has focus."""
        self._entries: list[tuple[str, str, bool]] = []
        self._help: tuple[str, str, bool] | None = None
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self._changed(self.screen)

    def on_resize(self, _: events.Resize) -> None:
        self._show()

    def show_keys(self) -> None:
        """List the keys again (read-only mode changed with the context)."""
        self._changed(self.screen)

    def _changed(self, screen: object) -> None:
        seen: set[str] = set()
        entries = []
        self._help = None
        read_only = getattr(self.app, "read_only", False)
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if read_only and binding.id in CHANGES_ECR:
                continue
            entry = (self.app.get_key_display(binding), binding.description, enabled)
            if binding.action == HELP_ACTION and self._help is None:
                self._help = (entry[0], binding.description or "Help", enabled)
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                entries.append(entry)
        self._entries = entries
        self._show()

    def _show(self) -> None:
        width = self.content_region.width
        entries = fitting(self._entries, self._help, width) if width > 0 else self._entries
        text = Text()
        for key, description, enabled in entries:
            text.append(f" {key} ", "bold" if enabled else "dim")
            text.append(f"{description} ")
        self.update(text, layout=False)


def entry_width(entry: tuple[str, str, bool]) -> int:
    """The cells an entry takes: " key description "."""
    key, description, _ = entry
    return cell_len(key) + cell_len(description) + 3


def fitting(
    entries: list[tuple[str, str, bool]], help_entry: tuple[str, str, bool] | None, width: int
) -> list[tuple[str, str, bool]]:
    """The entries that fit `width` whole, in order; when some do not, the help entry last."""
    if sum(entry_width(e) for e in entries) <= width:
        return entries
    rest = [e for e in entries if help_entry is None or e[0] != help_entry[0]]
    room = width - (entry_width(help_entry) if help_entry is not None else 0)
    kept = []
    for entry in rest:
        if entry_width(entry) > room:
            break  # in order: a later, shorter one would hide that this one is missing
        kept.append(entry)
        room -= entry_width(entry)
    if help_entry is not None and room >= 0:
        kept.append(help_entry)
    return kept
