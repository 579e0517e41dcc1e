"""What the screen shows must be readable and true: without colour, in 16 colours, at
80 columns, with the filter open, with many tags.

These drive the real app against the local endpoint and read what it draws: the
lines and segments its widgets render, after Textual's own filters (NO_COLOR).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rich.color import Color, ColorType
from rich.segment import Segment
from textual.geometry import Region
from textual.widget import Widget

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.models import AccountInfo, ScanReport, ScanState, Severity, SeverityCounts
from ecr_tui.demo.data.dataset import build_dataset
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.demo.launcher import spawn_demo_endpoint
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.create_repository import CreateRepositoryScreen
from ecr_tui.ui.dialogs.text import TextViewScreen
from ecr_tui.ui.dialogs.tick_box import TickBox
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.format import SEVERITY_LABEL, SEVERITY_LETTER, human_size, short_age
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.image_rows import scan_cell
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane
from ecr_tui.ui.panes.scan_summary import scan_empty_text
from ecr_tui.ui.screens import FindingScreen, HelpScreen
from ecr_tui.ui.status_bar import (
    StatusBar,
    breadcrumb_part,
    connection_parts,
    docker_part,
    fit_parts,
)
from ecr_tui.ui.table.widget import VirtualTable
from tests.conftest import plain_ecr_client
from tests.test_app import open_repository, repositories_loaded

# -- helpers -------------------------------------------------------------------------------


@pytest.fixture()
def truecolor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal of millions of colours: the default theme (Textual reads it at App())."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture()
def sixteen_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal of 16 colours, as TERM=xterm says."""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)


def drawn(widget: Widget) -> list[list[Segment]]:
    """The widget's lines as the screen gets them: after its styles and the app's filters."""
    width, height = widget.size
    return [list(strip) for strip in widget.render_lines(Region(0, 0, width, height))]


def plain(table: VirtualTable[Any], y: int) -> str:
    """Line `y` of a table as text (0 is the header)."""
    return table.render_line(y).text


def segment_of(line: list[Segment], text: str) -> Segment:
    """The first segment of `line` that holds `text`."""
    return next(segment for segment in line if text in segment.text)


def is_grey(color: Color | None) -> bool:
    """True for no colour or a grey (what NO_COLOR leaves)."""
    if color is None or color.type is ColorType.DEFAULT:
        return True
    red, green, blue = color.get_truecolor()
    return red == green == blue


async def open_findings(app: EcrApp, pilot: Any, repository: str) -> FindingsPane:
    """Open `repository`, drill into its newest image's findings, and wait for them."""
    images = await open_repository(app, pilot, repository)
    findings = app.query_one(FindingsPane)
    assert images.table.current_row is not None
    await pilot.press("enter")
    await wait_until(pilot, lambda: findings.report is not None and not findings.is_loading)
    await wait_until(pilot, lambda: findings.table.total_rows > 0)
    return findings


# -- NO_COLOR ----------------------------------------------------------------------------


@pytest.mark.parametrize("terminal", ["truecolor", "sixteen_colours"])
async def test_no_color_draws_every_pane_and_the_help_in_grey(
    terminal: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    ecr_settings: ConnectionSettings,
) -> None:
    request.getfixturevalue(terminal)
    monkeypatch.setenv("NO_COLOR", "1")
    app = EcrApp(ecr_settings)
    assert app.no_color, "Textual reads NO_COLOR when the App is made"

    def every_widget_is_grey() -> None:
        for widget in app.screen.query("*"):
            if widget.display and widget.size.area:
                for line in drawn(widget):
                    for segment in line:
                        style = segment.style
                        assert style is not None, f"{widget!r} drew a segment without a style"
                        assert is_grey(style.color) and is_grey(style.bgcolor), widget

    async with app.run_test(size=(80, 24)) as pilot:
        # The first frame: tables still empty ("Loading…"), which crashed before.
        await pilot.pause()
        every_widget_is_grey()
        await open_findings(app, pilot, "payments/api")
        every_widget_is_grey()
        await pilot.press("slash")
        every_widget_is_grey()
        await pilot.press("escape", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingScreen))
        every_widget_is_grey()
        await pilot.press("escape", "question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        every_widget_is_grey()
        await pilot.press("escape")
        for dialog in (CreateRepositoryScreen(), ConfirmScreen("Delete", "Sure?", require_force=2)):
            app.push_screen(dialog)
            await pilot.pause()
            every_widget_is_grey()
            await pilot.press("escape")
        app.action_show_notifications()
        await wait_until(pilot, lambda: isinstance(app.screen, TextViewScreen))
        every_widget_is_grey()
        assert app.return_code is None


async def test_the_severity_cell_is_drawn_in_its_colour(
    truecolor: None, ecr_settings: ConnectionSettings
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await open_findings(app, pilot, "payments/api")
        table = findings.table
        lines = drawn(table)
        seen = 0
        for index, finding in enumerate(table.rows[: table.size.height - 1]):
            name = {Severity.CRITICAL: "critical", Severity.HIGH: "high"}.get(finding.severity)
            if name is None or index == table.cursor_row:
                continue
            line = lines[index + 1]
            cell = segment_of(line, SEVERITY_LABEL[finding.severity])
            vulnerability = segment_of(line, finding.name)
            assert cell.style is not None and vulnerability.style is not None
            assert cell.style.color == table.palette(name).color
            assert cell.style.color != vulnerability.style.color
            seen += 1
        assert seen, "payments/api's newest image has critical or high findings"


# -- 16 colours ----------------------------------------------------------------------------

FOUR = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


async def severity_colour(pilot: Any, table: VirtualTable[Any], severity: Severity) -> Color:
    """The colour the first finding of `severity` is drawn in (away from the cursor)."""
    index = next(i for i, finding in enumerate(table.rows) if finding.severity is severity)
    table.cursor_row = index + 1 if index + 1 < len(table.rows) else index - 1
    await pilot.pause()
    line = drawn(table)[index - int(table.scroll_y) + 1]
    cell = segment_of(line, SEVERITY_LABEL[severity])
    assert cell.style is not None and cell.style.color is not None
    return cell.style.color


async def test_sixteen_colours_give_each_severity_its_own_colour_and_a_calm_focus(
    sixteen_colours: None, ecr_settings: ConnectionSettings
) -> None:
    app = EcrApp(ecr_settings)
    assert app.console.color_system == "standard"
    assert app.theme == "ansi-dark"
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await open_findings(app, pilot, "data/airflow")
        table = findings.table
        colours = [await severity_colour(pilot, table, severity) for severity in FOUR]
        assert all(colour.type is ColorType.STANDARD for colour in colours), colours
        assert len({colour.number for colour in colours}) == 4, "one colour each"
        # The images pane's counts too: C, H, M and L in four colours.
        images = app.query_one(ImagesPane)
        for line in drawn(images.table)[2:]:
            counts = [
                segment.style.color
                for segment in line
                if segment.style and segment.text[:1] in "CHML" and segment.text[1:2].isdigit()
            ]
            if len(counts) == 4:
                assert len({colour.number for colour in counts if colour}) == 4
                break
        else:
            raise AssertionError("no image row with four severity counts")

        # The focused pane's border: the terminal's own colour, and not red (an error).
        top = drawn(findings)[0]
        corner = segment_of(top, "╭")
        assert corner.style is not None and corner.style.color is not None
        assert corner.style.color.type is ColorType.STANDARD
        assert corner.style.color.number not in (1, 9), "red reads as an error"
        # The cursor row stays readable: reverse video, not a white background.
        cursor = drawn(table)[table.cursor_row - int(table.scroll_y) + 1]
        assert all(s.style is not None and s.style.reverse for s in cursor if s.text.strip())

    # A theme from the config file (the CLI sets it after the App is made) wins.
    chosen = EcrApp(ecr_settings)
    chosen.theme = "nord"
    async with chosen.run_test(size=(80, 24)) as pilot:
        await repositories_loaded(chosen, pilot)
        assert chosen.theme == "nord"


# -- dialogs: state in characters, not in colour alone ---------------------------------------


async def test_dialog_boxes_say_ticked_or_not_in_characters(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await repositories_loaded(app, pilot)
        app.push_screen(CreateRepositoryScreen())
        await pilot.pause()
        scan = app.screen.query_one("#create-scan", TickBox)
        scan.focus()
        await pilot.pause()
        assert str(scan.render()).startswith("[ ] scan each image as it is pushed")
        # Focused, its label is drawn unlike the rest of the dialog (the Switch drew
        # nothing different).
        label = segment_of(drawn(scan)[0], " scan each")
        unfocused_label = label.style
        await pilot.press("space")
        assert str(scan.render()).startswith("[x] ")
        assert scan.value
        scan.blur()
        await pilot.pause()
        assert segment_of(drawn(scan)[0], " scan each").style != unfocused_label
        await pilot.press("escape")

        app.push_screen(ConfirmScreen("Delete", "Delete it?", require_force=3))
        await pilot.pause()
        force = app.screen.query_one("#confirm-force", TickBox)
        assert str(force.render()).startswith("[ ] force: also delete 3 images")
        await pilot.press("space")
        assert str(force.render()).startswith("[x] force: also delete 3 images")


# -- the status line -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_status_line_never_cuts_read_only_account_or_region(
    size: tuple[int, int], ecr_settings: ConnectionSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    app = EcrApp(ecr_settings, read_only=True)
    async with app.run_test(size=size) as pilot:
        await repositories_loaded(app, pilot)
        status = app.query_one(StatusBar)
        await wait_until(pilot, lambda: app.account is not None and status.checked)
        line = str(status.render())
        assert len(line) <= size[0] - 2
        assert line.lstrip().startswith(("ecr-tui  READ-ONLY  ", "READ-ONLY  "))
        assert "account 123456789012 · us-east-1 · " in line
        assert "…" not in line
        assert line.rstrip().endswith("docker: unavailable"), "the short state, whole"
        endpoint = app.account.endpoint if app.account else ""
        if size[0] >= 120:
            assert f"{endpoint} (demo)" in line
        else:
            assert " · demo " in line
        # What the line shortens is in full on the help screen.
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        about = dict(app.screen.about)
        assert about["Endpoint"].startswith(endpoint)
        assert about["Docker"].startswith("unavailable (Docker is not running")


def test_a_profile_keeps_its_place_at_80_columns() -> None:
    account = AccountInfo("123456789012", "eu-west-1", "https://ecr.example.internal", "", "prod")
    parts = connection_parts(
        account=account, read_only=True, demo=False, problem=None, connecting_to=""
    )
    reason = "Docker is not running or /var/run/docker.sock is not reachable"
    docker = docker_part(True, reason, None)
    line = fit_parts([*parts, docker], 78).plain
    assert line.startswith("READ-ONLY  ")
    assert "123456789012 · profile prod · eu-west-1 · " in line
    assert "…" not in line and len(line) <= 78
    wide = fit_parts([*parts, docker], 160).plain
    assert "account 123456789012" in wide and "https://ecr.example.internal" in wide


async def test_the_last_notifications_can_be_read_again(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await repositories_loaded(app, pilot)
        app.notify("The whole reason, which the toast showed for a moment.", title="Docker")
        await pilot.pause()
        app.clear_notifications()
        app.action_show_notifications()
        await pilot.pause()
        assert isinstance(app.screen, TextViewScreen)
        assert "Docker" in app.screen.text
        assert "The whole reason, which the toast showed for a moment." in app.screen.text


# -- columns: whole values, never cut ---------------------------------------------------------


async def test_with_the_filter_open_times_and_sizes_are_whole(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "platform/nginx-base")
        table = images.table
        width = table.scrollable_content_region.width
        await pilot.press("slash")
        await pilot.pause()
        assert table.scrollable_content_region.width == width, "the filter narrows nothing"
        header = plain(table, 0)
        assert "Pushed" in header and "Pulled" in header.split()
        for index, image in enumerate(table.rows[: table.size.height - 1]):
            words = plain(table, index + 1).split()
            assert short_age(image.pushed_at) in words
            assert short_age(image.last_pulled_at) == words[-1], "the last column, whole"
            assert human_size(image.size_bytes) in plain(table, index + 1)


async def test_at_80_columns_a_column_is_whole_or_not_there(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        images = await open_repository(app, pilot, "platform/nginx-base")
        table = images.table
        assert plain(table, 0).split()[-1] == "Scan", "Digest and Pulled: scroll with l"
        for index, image in enumerate(table.rows[: table.size.height - 1]):
            line = plain(table, index + 1).rstrip()
            assert line.endswith(scan_cell(image, table.palette).plain)
        await pilot.press("l")  # a whole column to the right
        assert plain(table, 0).split()[0] == "Pushed"
        repositories = app.query_one(RepositoriesPane).table
        for index, repository in enumerate(repositories.rows[: repositories.size.height - 1]):
            assert plain(repositories, index + 1).split() == [repository.name]


async def test_at_80_columns_summaries_take_a_shorter_form_not_a_cut(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        findings = await open_findings(app, pilot, "data/airflow")
        report = findings.report
        assert report is not None
        summary = "".join(segment.text for segment in drawn(findings.summary)[0])
        assert "…" not in summary
        for severity in Severity:
            if count := report.summary.get(severity):
                assert f"{SEVERITY_LETTER[severity]}{count}" in summary.split()
        info = ["".join(s.text for s in line) for line in drawn(app.query_one(ImagesPane).info)]
        times = info[-2]  # the tags, the times and size, the digest
        assert "…" not in times and " · " in times


async def test_an_empty_table_says_its_whole_sentence(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FindingsPane).table
        table.clear()
        scanning = ScanReport(
            "r", "sha256:" + "0" * 64, ScanState.IN_PROGRESS, "", None, SeverityCounts(), ()
        )
        sentence = scan_empty_text(scanning)
        table.empty_text = sentence
        await pilot.pause()
        assert len(sentence) > table.size.width, "longer than the pane is wide"
        drawn_text = " ".join("".join(s.text for s in line).strip() for line in drawn(table)[1:])
        assert sentence in " ".join(drawn_text.split())


async def test_fixed_versions_have_room_before_the_package(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await open_findings(app, pilot, "payments/api")
        table = findings.table
        header = plain(table, 0)
        assert "Fix" in header.split()
        fixed = [
            (index, f)
            for index, f in enumerate(table.rows[: table.size.height - 1])
            if 0 < len(f.fixed_in) <= 14  # longer ones: enter shows the finding in full
        ]
        assert fixed, "payments/api has fixed versions"
        for index, finding in fixed:
            assert finding.fixed_in in plain(table, index + 1)
        mutability = app.query_one(RepositoriesPane).table
        assert "Mutability" in plain(mutability, 0).split()


# -- many tags, and enums -------------------------------------------------------------------

REPOSITORY = "team/many-tags"
TAGS = [f"release-2026.{n:02d}" for n in range(1, 13)]


@pytest.fixture(scope="module")
def tagged_endpoint() -> Iterator[LocalEcr]:
    """An endpoint of its own with an image of twelve tags (these tests change it)."""
    server = LocalEcr(account_id="777788889999")
    server.start()
    server.seed(build_dataset(repositories=4, big_repository_images=0))
    ecr = plain_ecr_client(server)
    ecr.create_repository(repositoryName=REPOSITORY)
    layer = hashlib.sha256(b"many tags").hexdigest()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 100,
                "digest": "sha256:" + hashlib.sha256(b"config").hexdigest(),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1000,
                    "digest": f"sha256:{layer}",
                }
            ],
        }
    )
    for tag in TAGS:
        ecr.put_image(repositoryName=REPOSITORY, imageManifest=manifest, imageTag=tag)
    yield server
    server.stop()


@pytest.fixture()
def tagged_settings(tagged_endpoint: LocalEcr) -> ConnectionSettings:
    return ConnectionSettings(endpoint_url=tagged_endpoint.url, region="us-east-1", demo=True)


async def test_every_tag_of_the_image_is_in_the_info_lines(
    tagged_settings: ConnectionSettings,
) -> None:
    app = EcrApp(tagged_settings)

    def info_text(images: ImagesPane) -> str:
        return " ".join("".join(s.text for s in line) for line in drawn(images.info))

    async with app.run_test(size=(80, 24)) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        assert sorted(images.table.rows[0].tags) == TAGS
        await pilot.pause()
        # Narrow, the tags take the lines the table can spare, and say how many.
        shown = info_text(images)
        assert "12 tags: release-2026.01, release-2026.02," in shown
        assert images.table.size.height >= 3, "the table keeps rows to move through"
        if not all(tag in shown for tag in TAGS):
            assert "…" in shown, "a cut list says so"
        # Zoomed (z), the pane has the screen: every tag.
        await pilot.press("z")
        await pilot.pause()
        shown = info_text(images)
        for tag in TAGS:
            assert tag in shown, tag
    async with EcrApp(tagged_settings).run_test(size=(120, 36)) as pilot:
        images = await open_repository(pilot.app, pilot, REPOSITORY)
        await pilot.pause()
        shown = info_text(images)
        assert all(tag in shown for tag in TAGS), shown


async def test_a_scan_toast_names_the_state_in_words(
    tagged_settings: ConnectionSettings,
) -> None:
    app = EcrApp(tagged_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        images.table.focus()
        await pilot.press("S")
        await wait_until(pilot, lambda: any(n.title == "Scan started" for n in app._notifications))
        message = next(n.message for n in app._notifications if n.title == "Scan started")
        assert "ScanState" not in message and "IN_PROGRESS" not in message
        assert message.endswith(": scanning.")


async def test_help_and_key_bar_write_keys_one_way(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        key_bar = str(app.query_one("#keybar").render())
        assert " enter Open" in key_bar and "⏎" not in key_bar
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict((what, key) for key, what in app.screen.key_rows())
        assert keys["Commands"] == "ctrl+p"
        assert keys["Page down"] == "PgDn ctrl+f"
        assert keys["Go to URI"] == "ctrl+g"
        assert not any(key.startswith("^") for key in keys.values())


def test_an_alias_and_a_breadcrumb_come_after_who_and_where() -> None:
    account = AccountInfo(
        "123456789012", "eu-west-1", "AWS", "", "prod", alias="acme-production-main"
    )
    parts = connection_parts(
        account=account, read_only=True, demo=False, problem=None, connecting_to=""
    )
    crumbs = breadcrumb_part(("platform/nginx-base", "v1.27.3", "CVE-2024-6387"))
    assert crumbs is not None
    docker = docker_part(True, "Docker is not running", None)
    narrow = fit_parts([*parts, crumbs, docker], 78).plain
    assert narrow.startswith("READ-ONLY  123456789012 · profile prod · eu-west-1 · AWS")
    assert "…" not in narrow and len(narrow) <= 78
    wide = fit_parts([*parts, crumbs, docker], 200).plain
    assert "account 123456789012 (acme-production-main)" in wide
    assert "platform/nginx-base \u203a v1.27.3 \u203a CVE-2024-6387" in wide
    # In between, the repository alone rather than a cut path.
    plain = connection_parts(
        account=AccountInfo("123456789012", "eu-west-1", "AWS"),
        read_only=False,
        demo=False,
        problem=None,
        connecting_to="",
    )
    middle = fit_parts([*plain, crumbs, docker], 120).plain
    assert "platform/nginx-base  " in middle and "v1.27.3" not in middle
    assert "…" not in middle


async def test_no_count_is_shown_before_the_repositories_are_asked_for() -> None:
    # `--demo` may mount the panes before its endpoint is ready: until the listing is
    # asked for, no count is known, and "0 repositories" would say there are none.
    launch = spawn_demo_endpoint(registry=False)
    app = EcrApp(ConnectionSettings(region="us-east-1", demo=True), demo_launch=launch)
    seen: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = app.query_one(RepositoriesPane)
        deadline = time.monotonic() + 30
        while not repositories.table.total_rows and time.monotonic() < deadline:
            seen.append(str(repositories.border_subtitle))
            await pilot.pause(0.01)
        await wait_until(pilot, lambda: not repositories.is_loading, timeout=30)
        # Nothing asked yet: no count; asked: what has come so far, said to be
        # loading. Never a count that reads as the listing's end. (How soon the
        # listing is asked depends on the endpoint's start: either may come first.)
        assert seen
        assert all(text == "" or text.endswith(" · loading…") for text in seen), set(seen)
        assert str(repositories.border_subtitle).endswith(" repositories")
