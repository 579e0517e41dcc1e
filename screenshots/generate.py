"""Regenerate the README screenshots from the demo registry.

    python screenshots/generate.py          # SVGs next to this file
    python screenshots/generate.py --png    # and PNGs, to look at them locally

Each screenshot is taken by driving the real app with key presses, the way a
user reaches that screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.demo.launcher import start_demo_endpoint
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.command_bar import CommandBarScreen
from ecr_tui.ui.dialogs.text import PolicyEditorScreen
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.fleet.affected import AffectedScreen
from ecr_tui.ui.fleet.view import VulnerabilitiesScreen
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane

HERE = Path(__file__).resolve().parent


async def take_screenshots(url: str, size: tuple[int, int]) -> list[Path]:
    """Walk the demo from repositories to a finding, saving a screenshot at each stop."""
    settings = ConnectionSettings(
        endpoint_url=url, sts_endpoint_url=url, region="us-east-1", demo=True
    )
    app = EcrApp(settings)
    saved: list[Path] = []

    def save(name: str) -> None:
        saved.append(HERE / f"{name}.svg")
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))

    async with app.run_test(size=size) as pilot:
        repositories = app.query_one(RepositoriesPane)
        images = app.query_one(ImagesPane)
        findings = app.query_one(FindingsPane)
        await wait_until(pilot, lambda: not repositories.is_loading and app.account is not None)
        await pilot.press("slash", *"payments", "enter")
        await wait_until(pilot, lambda: images.repository is not None and not images.is_loading)
        save("repositories")

        await pilot.press("enter")
        await wait_until(pilot, lambda: not images.is_loading and images.table.total_rows > 0)
        await pilot.press("j")
        await wait_until(pilot, lambda: findings.report is not None)
        save("images")

        await pilot.press("enter")
        await wait_until(pilot, lambda: findings.report is not None and not findings.is_loading)
        await pilot.press("j", "j")
        save("findings")
        save("main")

        await pilot.press("question_mark")
        await pilot.pause()
        save("help")
        await pilot.press("escape")

        app.query_one("#repositories-table").focus()
        await pilot.press("n", *"payments/refunds")
        await pilot.pause()
        save("create-repository")
        await pilot.press("escape")

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyEditorScreen))
        save("policy")
        await pilot.press("escape")
        await pilot.pause()

        # A multi-platform image (a buildx index): one row, its platforms unfolded,
        # and its platforms' findings merged.
        app.query_one("#repositories-table").focus()
        await pilot.press("slash", *"multiarch", "enter", "enter")
        await wait_until(pilot, lambda: not images.is_loading and images.table.total_rows > 0)
        await pilot.press("j", "e")  # the newest is still being scanned: the one before
        await wait_until(pilot, lambda: findings.report is not None and not findings.is_loading)
        await pilot.pause(0.5)
        save("multi-arch")
        await pilot.press("enter")
        await wait_until(pilot, lambda: findings.report is not None and not findings.is_loading)
        save("multi-arch-findings")

        # The command bar, completing a repository's name.
        app.query_one("#repositories-table").focus()
        await pilot.press("colon", *"repo pay", "tab")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandBarScreen))
        await pilot.pause(0.3)
        save("command-bar")
        await pilot.press("escape")
        await pilot.pause()

        # Fleet triage over the payments team's repositories: Amazon Inspector for
        # the one it scans (EPSS and all), the rest image by image; then one
        # vulnerability's images.
        app.fleet_scope = Scope(repository_pattern="payments/*")
        await pilot.press("V")
        await wait_until(pilot, lambda: isinstance(app.screen, VulnerabilitiesScreen))
        fleet = app.screen
        assert isinstance(fleet, VulnerabilitiesScreen)
        await wait_until(
            pilot,
            lambda: fleet.session is not None and fleet.session.progress.finished,
            timeout=120,
        )
        await pilot.pause(1.2)  # the view's next refresh, after the last report
        save("vulnerabilities")
        app.open_vulnerability("CVE-2023-38545")
        await wait_until(pilot, lambda: isinstance(app.screen, AffectedScreen))
        affected = app.screen
        assert isinstance(affected, AffectedScreen)
        await wait_until(pilot, lambda: bool(affected.table.rows), timeout=60)
        await pilot.pause(1.2)
        save("affected-images")
    return saved


def main() -> None:
    """Start the demo endpoint, take the screenshots, stop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", action="store_true", help="also write PNGs (needs cairosvg)")
    parser.add_argument("--size", default="120x36", help="terminal size, default 120x36")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    # The default theme, as a terminal of millions of colours shows it, wherever this
    # runs: under TERM=xterm (16 colours) the app would take the ANSI theme.
    os.environ["TERM"] = "xterm-256color"
    os.environ["COLORTERM"] = "truecolor"
    with start_demo_endpoint() as endpoint:
        saved = asyncio.run(take_screenshots(endpoint.url, (width, height)))
    for svg in saved:
        print(svg.relative_to(HERE.parent))
        if args.png:
            import cairosvg

            cairosvg.svg2png(url=str(svg), write_to=str(svg.with_suffix(".png")))


if __name__ == "__main__":
    main()
