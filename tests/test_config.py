"""The config file: per-profile read-only mode, key remapping, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecr_tui.config import ConfigError, load_settings

CONFIG = """
read_only = false
theme = "textual-light"

[profiles.prod]
read_only = true

[keys]
"images.sort" = "S"
"table.down" = "j, down"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_no_file_means_defaults(tmp_path: Path) -> None:
    settings = load_settings("prod", tmp_path / "missing.toml")
    assert not settings.read_only and settings.keymap == {} and settings.source is None


def test_read_only_applies_to_the_named_profile_only(tmp_path: Path) -> None:
    path = write(tmp_path, CONFIG)
    assert load_settings("prod", path).read_only
    assert not load_settings("dev", path).read_only


def test_keys_and_theme_are_read(tmp_path: Path) -> None:
    settings = load_settings(None, write(tmp_path, CONFIG))
    assert settings.keymap == {"images.sort": "S", "table.down": "j,down"}
    assert settings.theme == "textual-light"


def test_environment_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "read_only = true\n")
    monkeypatch.setenv("ECR_TUI_CONFIG", str(path))
    assert load_settings(None).read_only


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("read_only = maybe", "not valid TOML"),
        ('read_only = "yes"', "'read_only' must be true or false"),
        ("[profiles]\nprod = 3", "[profiles.prod] must be a table"),
        ('[keys]\n"images.sort" = ""', "keys for 'images.sort'"),
        ("theme = 4", "'theme' must be a string"),
    ],
)
def test_broken_files_are_explained(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings("prod", write(tmp_path, text))
    assert words in str(raised.value)
    assert str(tmp_path) in str(raised.value)


def test_invalid_utf8_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(None, path)


def test_a_missing_file_named_by_the_environment_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECR_TUI_CONFIG", str(tmp_path / "typo.toml"))
    with pytest.raises(ConfigError, match=r"typo\.toml: no such file"):
        load_settings("prod")


def test_a_bad_profile_section_names_the_profile_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    path = write(tmp_path, "[profiles]\ndefault = 3\n")
    with pytest.raises(ConfigError, match=r"\[profiles\.default\]"):
        load_settings(None, path)
