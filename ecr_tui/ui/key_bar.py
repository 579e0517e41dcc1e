"""The one line at the bottom that lists the keys working where the focus is."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

# The keys the bar offers that change ECR: not offered in a read-only context (they
# would only say why not; the help screen still lists them).
CHANGES_ECR = frozenset({"repositories.create"})


class KeyBar(Static):
    """The keys that work here, one line: a text update on focus change, not a recompose."""

    DEFAULT_CSS = "KeyBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }"

    def on_mount(self) -> None:
        """Follow the bindings of whatever has focus."""
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self._changed(self.screen)

    def show_keys(self) -> None:
        """List the keys again (read-only mode changed with the context)."""
        self._changed(self.screen)

    def _changed(self, screen: object) -> None:
        seen: set[str] = set()
        text = Text()
        read_only = getattr(self.app, "read_only", False)
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if read_only and binding.id in CHANGES_ECR:
                continue
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                text.append(f" {self.app.get_key_display(binding)} ", "bold" if enabled else "dim")
                text.append(f"{binding.description} ")
        self.update(text, layout=False)
