"""User settings from a TOML file: read-only mode per profile, key remapping, theme.

    # ~/.config/ecr-tui/config.toml (or $XDG_CONFIG_HOME/ecr-tui, or $ECR_TUI_CONFIG)
    read_only = false          # default for every profile
    theme = "textual-dark"

    [profiles.prod]
    read_only = true           # never change production by accident

    [keys]                     # binding id = keys (comma-separated)
    "images.sort" = "S"
    "table.down" = "j,down,ctrl+n"

No file is fine; a broken file stops the app with a message naming the problem.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The config file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class UserSettings:
    """What the config file decides for one session."""

    read_only: bool = False
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    source: Path | None = None
    # The line that made this profile read-only: "read_only" (for every profile) or
    # "[profiles.NAME] read_only"; "" when nothing in the file did.
    read_only_line: str = ""


def config_path() -> Path:
    """Where the config file is looked for."""
    explicit = os.environ.get("ECR_TUI_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ecr-tui" / "config.toml"


# The demo's profiles that are read-only unless the config file says otherwise (so that
# `ecr-tui --demo` shows a read-only context; its default profile, dev, is not).
DEMO_READ_ONLY_PROFILES = frozenset({"prod"})
# `read_only_line` of a profile read-only for that reason.
DEMO_READ_ONLY = "demo"


def load_settings(
    profile: str | None, path: Path | None = None, *, demo: bool = False
) -> UserSettings:
    """Read the settings that apply to `profile` (None: the default profile); `demo`:
    in `ecr-tui --demo`, whose prod profile is read-only unless the file says not."""
    settings = _load_settings(profile, path)
    if demo and profile in DEMO_READ_ONLY_PROFILES and not settings.read_only_line:
        explicit = settings.source is not None and _says_read_only(settings.source, profile)
        if not explicit:
            return replace(settings, read_only=True, read_only_line=DEMO_READ_ONLY)
    return settings


def _says_read_only(path: Path, profile: str) -> bool:
    """Whether the file (read fine a moment ago) sets read_only for `profile` itself."""
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("profiles", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    own = section.get(profile, {}) if isinstance(section, dict) else {}
    return isinstance(own, dict) and "read_only" in own


def _load_settings(profile: str | None, path: Path | None) -> UserSettings:
    explicit = path is None and bool(os.environ.get("ECR_TUI_CONFIG"))
    path = path or config_path()
    if not path.exists():
        if explicit:
            # A typo in $ECR_TUI_CONFIG must not silently drop `read_only = true`.
            raise ConfigError(f"{path}: no such file (named by $ECR_TUI_CONFIG)")
        return UserSettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {error.start}): save it as UTF-8"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    read_only = _boolean(data, "read_only", path, False)
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{path}: 'theme' must be a string")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table of profile names")
    profile_name = profile or os.environ.get("AWS_PROFILE") or "default"
    section = profiles.get(profile_name, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [profiles.{profile_name}] must be a table")
    read_only = _boolean(section, "read_only", path, read_only)
    line = ""
    if read_only:
        in_section = "read_only" in section
        line = f"[profiles.{profile_name}] read_only" if in_section else "read_only"
    keymap = _keymap(data.get("keys", {}), path)
    return UserSettings(read_only, theme, keymap, path, line)


def _boolean(table: dict[str, Any], key: str, path: Path, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: '{key}' must be true or false, not {value!r}")
    return value


def _keymap(table: object, path: Path) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [keys] must map binding ids to keys")
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f"{path}: keys for '{binding_id}' must be a non-empty string")
        keymap[binding_id] = ",".join(key.strip() for key in keys.split(","))
    return keymap
