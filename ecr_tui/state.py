"""What ecr-tui remembers between runs: the command bar's history and favourite repositories.

    ~/.config/ecr-tui/state.json (next to config.toml; see `config.config_path`)

Kept apart from config.toml, which is the user's: rewriting TOML would lose the
comments and the layout they wrote (tomllib only reads). This file is the app's
own, written whole (to a temporary file, then renamed, so that a crash never
leaves half of it). A file that cannot be read is left as it is: the app then
remembers for the session only and says why once.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ecr_tui.config import config_path

# Commands kept in the history (oldest dropped first).
HISTORY_SIZE = 200


def state_path() -> Path:
    """Where the state file is: beside the config file."""
    return config_path().parent / "state.json"


class StateStore:
    """The state file's content, in memory, saved after each change when `path` is set.

    With `path=None` (tests, scripts), nothing is read or written.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        # Why the file is not used (unreadable, not ours): said once, never overwritten.
        self.problem: str | None = None
        self._data: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            self.problem = f"{self.path} cannot be read ({error}); nothing is saved to it"
            return {}
        if not isinstance(data, dict):
            self.problem = f"{self.path} is not ecr-tui's state (not an object); nothing is saved"
            return {}
        return data

    def _save(self) -> None:
        if self.path is None or self.problem is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".state-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self._data, out, indent=2, sort_keys=True)
                out.write("\n")
            os.replace(temporary, self.path)
        except OSError as error:
            self.problem = f"{self.path} cannot be written ({error.strerror}); kept for this run"

    # -- the command bar's history -----------------------------------------------------

    def command_history(self) -> list[str]:
        """Command lines run before, oldest first."""
        history = self._data.get("command_history", [])
        if not isinstance(history, list):
            return []
        return [line for line in history if isinstance(line, str)]

    def add_command(self, line: str) -> None:
        """Remember a command line (once: run again, it moves to the end)."""
        history = [old for old in self.command_history() if old != line]
        history.append(line)
        self._data["command_history"] = history[-HISTORY_SIZE:]
        self._save()

    # -- favourite repositories, per profile ---------------------------------------------

    def favourites(self, profile: str) -> set[str]:
        """The repositories marked as favourites under `profile`."""
        table = self._data.get("favourites", {})
        names = table.get(profile, []) if isinstance(table, dict) else []
        if not isinstance(names, list):
            return set()
        return {name for name in names if isinstance(name, str)}

    def set_favourite(self, profile: str, repository: str, favourite: bool) -> None:
        """Mark or unmark `repository` as a favourite under `profile`."""
        names = self.favourites(profile)
        if favourite:
            names.add(repository)
        else:
            names.discard(repository)
        table = self._data.get("favourites")
        if not isinstance(table, dict):
            table = self._data["favourites"] = {}
        table[profile] = sorted(names)
        self._save()
