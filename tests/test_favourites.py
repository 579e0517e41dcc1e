"""Favourite repositories: marked with `*`, listed first, alone with `F`, kept per profile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.state import StateStore, state_path
from ecr_tui.ui.app import EcrApp
from tests.test_app import panes, repositories_loaded
from tests.test_key_bursts import send_burst, settled, typed, until


async def test_favourites_come_first_marked_and_alone_and_persist_per_profile(
    ecr_settings: ConnectionSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("ECR_TUI_CONFIG", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    config = tmp_path / "ecr-tui" / "config.toml"
    config.parent.mkdir()
    written = "# mine\nread_only = false  # keep\n\n[profiles.prod]\nread_only = true\n"
    config.write_text(written)

    app = EcrApp(ecr_settings, state=StateStore(state_path()))
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, _, _ = panes(app)
        await repositories_loaded(app, pilot)
        names = [repository.name for repository in repositories.table.rows]
        third, last = names[2], names[-1]
        send_burst(app, typed("jj*"), typed("G*"))
        await until(pilot, lambda: repositories.favourites == {third, last}, "two favourites")
        await settled(pilot)
        shown = [repository.name for repository in repositories.table.rows]
        assert shown[:2] == sorted([third, last])
        assert sorted(shown[2:]) == shown[2:] and len(shown) == len(names)
        assert repositories.table.current_row.name == last  # the cursor kept its row
        send_burst(app, typed("g"))
        await until(pilot, lambda: repositories.table.scroll_y == 0, "the top of the list")
        drawn = [repositories.table.render_line(y).text for y in range(4)]
        assert drawn[1].startswith(f"* {shown[0]} ") and drawn[2].startswith(f"* {shown[1]} ")
        assert drawn[3].startswith(f"  {shown[2]} ")  # kept in line with the marked

        send_burst(app, typed("F"))
        await until(pilot, lambda: len(repositories.table.rows) == 2, "the favourites alone")
        assert "favourites" in str(repositories.border_subtitle)
        assert "2 repositories" in str(repositories.border_subtitle)
        send_burst(app, typed("F"))
        await until(pilot, lambda: len(repositories.table.rows) == len(names), "all again")

    assert config.read_text() == written  # the user's file is never written
    saved = StateStore(state_path())
    assert saved.favourites("default") == {third, last}
    assert saved.favourites("prod") == set()

    # Another profile has favourites of its own; the first run's come back under theirs.
    aws = tmp_path / "aws"
    aws.mkdir()
    (aws / "config").write_text("[profile prod]\nregion = us-east-1\n")
    (aws / "credentials").write_text(
        "[prod]\naws_access_key_id = test\naws_secret_access_key = test\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(aws / "credentials"))
    prod = EcrApp(replace(ecr_settings, profile="prod"), state=StateStore(state_path()))
    async with prod.run_test(size=(120, 36)) as pilot:
        repositories, _, _ = panes(prod)
        await repositories_loaded(prod, pilot)
        assert repositories.favourites == frozenset()
        send_burst(prod, typed("F"))
        await until(pilot, lambda: "No favourites yet" in prod.notification_log.text(), "none here")
        assert len(repositories.table.rows) == len(names)

    again = EcrApp(ecr_settings, state=StateStore(state_path()))
    async with again.run_test(size=(120, 36)) as pilot:
        repositories, _, _ = panes(again)
        await repositories_loaded(again, pilot)
        assert [r.name for r in repositories.table.rows[:2]] == sorted([third, last])
        # Unmarking puts it back in its place.
        _, kept = sorted([third, last])
        send_burst(again, typed("*"))
        await until(pilot, lambda: repositories.favourites == {kept}, "one favourite left")
        assert StateStore(state_path()).favourites("default") == {kept}
        assert [r.name for r in repositories.table.rows[1:]] == sorted(set(names) - {kept})
