"""Keys that arrive in one burst after `/` (a paste, a slow link) land in the filter box."""

from __future__ import annotations

from textual import events

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.images import ImagesPane
from tests.test_app import open_repository, repositories_loaded

# Key names of the non-alphanumeric characters these tests type.
_KEY_NAMES = {"/": "slash", "-": "minus"}


def send_burst(app: EcrApp, text: str) -> None:
    """Queue a key event per character at once, as the driver does for one read.

    `pilot.press` waits for the app to go idle after every key, which is typing at
    human pace: it cannot show what happens to keys queued behind `/`.
    """
    for char in text:
        app.post_message(events.Key(_KEY_NAMES.get(char, char), char))


async def test_burst_after_slash_lands_in_the_filter_box(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        assert app.focused is repositories.table

        send_burst(app, "/build")
        await pilot.pause()
        assert app.focused is repositories.filter_box
        assert repositories.filter_box.value == "build"
        names = [repo.name for repo in repositories.table.rows]
        assert names and all("build" in name for name in names)
        assert len(names) < repositories.table.total_rows

        # In the box `/` is text: a burst with a slash in it is typed whole.
        await pilot.press("escape")
        assert app.focused is repositories.table
        send_burst(app, "/data/air")
        await pilot.pause()
        assert repositories.filter_box.value == "data/air"
        assert [repo.name for repo in repositories.table.rows] == ["data/airflow"]

        # Escape and enter in one burst: the filter is cleared, then the row opened.
        for key in ("escape", "enter"):
            app.post_message(events.Key(key, None))
        await wait_until(pilot, lambda: app.focused is app.query_one("#images-table"))
        assert repositories.filter_box.value == ""
        assert repositories.table.total_rows == len(repositories.table.rows)
        images = app.query_one(ImagesPane)
        assert images.repository is not None and images.repository.name == "data/airflow"


async def test_burst_after_slash_lands_in_the_images_filter(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "platform/nginx-base")
        assert app.focused is images.table
        tag = next(tag for image in images.table.rows for tag in image.tags)

        send_burst(app, "/" + tag)
        await pilot.pause()
        assert app.focused is images.filter_box
        assert images.filter_box.value == tag
        assert images.table.rows
        assert all(tag in " ".join(image.tags) for image in images.table.rows)

        # A filter that matches nothing says so, not that the repository is empty.
        images.filter_box.value = "no-such-tag"
        await pilot.pause()
        assert not images.table.rows
        assert "Nothing matches the filter." in "".join(
            segment.text for segment in images.table.render_line(1)
        )


async def test_keys_after_enter_in_one_burst_go_to_the_pane_opened(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        images = app.query_one(ImagesPane)
        chosen = repositories.table.current_row
        assert chosen is not None
        # Enter, then j j before the images pane has been shown.
        for key in ("enter", "j", "j"):
            app.post_message(events.Key(key, None))
        await pilot.pause()
        assert app.focused is images.table
        assert repositories.table.current_row is chosen  # the j presses did not move it
        await wait_until(pilot, lambda: images.repository is not None and not images.is_loading)
        assert images.repository == chosen
