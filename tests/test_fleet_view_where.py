"""The vulnerabilities view says which account and region it is about, and what an
empty answer means, driven as a user drives it against the demo endpoint."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.fleet.affected import AffectedScreen
from ecr_tui.ui.fleet.where import ViewContext, title_line
from tests.test_fleet_view import CURL, finished, make_app, open_view

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")


def rendered(widget: Any) -> str:
    return str(widget.render())


async def account_known(app: EcrApp, pilot: Any) -> None:
    await wait_until(pilot, lambda: app.account is not None and bool(app.account.account_id))


async def test_the_titles_name_account_and_region_at_80_columns(
    ecr_settings: ConnectionSettings,
) -> None:
    app = make_app(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(app, pilot)
        await account_known(app, pilot)
        await finished(screen, pilot)
        await pilot.pause(0.6)
        scope_line = rendered(screen.query_one("#fleet-scope"))
        assert scope_line.startswith(f"account {ACCOUNT} · {REGION} │ By vulnerability")
        assert all(len(line) <= 78 for line in scope_line.splitlines())
        app.open_vulnerability(CURL)
        await wait_until(pilot, lambda: isinstance(app.screen, AffectedScreen))
        affected = app.screen
        assert isinstance(affected, AffectedScreen)
        await wait_until(pilot, lambda: bool(affected.table.rows))
        # (Laid out: the title's next refresh has its width.)
        await wait_until(pilot, lambda: len(rendered(affected.query_one("#affected-title"))) <= 78)
        title = rendered(affected.query_one("#affected-title"))
        # The context whole (in its short form), the rest cut to fit (never the context).
        assert title.startswith(f"{ACCOUNT} · {REGION} │ Images with {CURL}")
        assert len(title) <= 78 and "\n" not in title


def test_the_context_is_shortened_before_it_would_be_cut() -> None:
    context = ViewContext("prod-admin", "210987654321", "ap-southeast-2")
    roomy = title_line(context, "Images with CVE-2023-38545 · 3 images", 120).plain
    assert roomy.startswith("profile prod-admin · account 210987654321 · ap-southeast-2 │ ")
    narrow = title_line(context, "Images with CVE-2023-38545 · 12,345 images · sort: x", 80)
    assert narrow.plain.startswith("prod-admin · 210987654321 · ap-southeast-2 │ Images with")
    assert len(narrow.plain) == 80 and narrow.plain.endswith("…")
    tiny = title_line(context, "Images with CVE-2023-38545", 30).plain
    assert tiny == "prod-admin · 210987654321 · ap-southeast-2"
    # Not known: said so, never guessed.
    assert (
        title_line(ViewContext("", "", ""), "x", 80).plain == "account unknown · region unknown │ x"
    )


async def test_the_view_exports_name_account_and_region(
    ecr_settings: ConnectionSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECR_TUI_EXPORT_DIR", str(tmp_path))
    app = make_app(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await account_known(app, pilot)
        await finished(screen, pilot)
        await pilot.press("E", "1")
        await wait_until(pilot, lambda: bool(screen.last_export))
        await pilot.press("E", "3")
        await wait_until(pilot, lambda: len(list(tmp_path.iterdir())) == 2)
    (table,) = tmp_path.glob("*.csv")
    rows = list(csv.DictReader(io.StringIO(table.read_text())))
    assert rows and {(r["account"], r["region"]) for r in rows} == {(ACCOUNT, REGION)}
    assert all(
        r["image_uri"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{r['repository']}@"
        f"{r['image_digest']}"
        for r in rows
    )
    (ticket,) = tmp_path.glob("*.md")
    assert ticket.read_text().startswith(
        f"## Vulnerabilities across the registry · registry {ACCOUNT} in {REGION}\n"
    )


async def test_a_pattern_that_matches_no_repository_says_so(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    app.fleet_scope = Scope(repository_pattern="Web/*")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_view(app, pilot)
        await finished(screen, pilot)
        await pilot.pause(0.6)
        missed = "no repository matches Web/* (ECR names are lowercase)"
        assert screen.table.empty_text == f"{missed}: no image was read."
        assert missed in " ".join(rendered(screen.query_one("#fleet-coverage")).split())
        # A pattern that matches, in the same view: rows, and no such words.
        screen.change_scope(Scope(repository_pattern="web/*", newest_per_repository=1))
        await wait_until(pilot, lambda: bool(screen.table.total_rows), timeout=60)
        await pilot.pause(0.6)
        assert "no repository matches" not in rendered(screen.query_one("#fleet-coverage"))
