"""The palette's Screenshot command saves somewhere that exists, and says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from tests.test_app import repositories_loaded
from tests.test_read_only import run_palette_command


async def test_screenshot_without_a_downloads_folder(
    ecr_settings: ConnectionSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))  # no ~/Downloads, as on most servers
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.chdir(work)
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await repositories_loaded(app, pilot)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Screenshot")
        await run_palette_command(pilot, app, command.title, command.help)
        await wait_until(
            pilot, lambda: any(n.title == "Screenshot" for n in app._notifications), timeout=10
        )
        said = [n.message for n in app._notifications if n.title == "Screenshot"]
        saved = list(work.glob("*.svg"))
        assert len(saved) == 1, said
        assert str(saved[0]) in said[0], "the notification gives the path"
        assert "<svg" in saved[0].read_text()
        assert not (home / "Downloads").exists()
