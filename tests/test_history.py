"""Back and forward (`[` `]`) through what was opened, against the demo endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.data.dataset import build_dataset
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.history import History, Place
from tests.conftest import plain_ecr_client
from tests.test_app import panes, repositories_loaded
from tests.test_key_bursts import press, send_burst, settled, typed, until


@pytest.fixture(scope="module")
def changing_endpoint() -> Iterator[LocalEcr]:
    """An endpoint of its own: these tests delete what they browse."""
    server = LocalEcr(account_id="555566667777")
    server.start()
    server.seed(build_dataset(repositories=8, big_repository_images=0))
    yield server
    server.stop()


def images_of(app: EcrApp, name: str) -> bool:
    """The images pane shows every image of `name`."""
    _, images, _ = panes(app)
    return (
        images.repository is not None
        and images.repository.name == name
        and (not images.is_loading and bool(images.table.total_rows))
    )


async def open_image(app: EcrApp, pilot: Any, repository: str, moves: int) -> Any:
    """`:repo repository`, `moves` times j, enter: the image opened."""
    _, images, findings = panes(app)
    send_burst(app, typed(f":repo {repository}"), press("enter"))
    await until(pilot, lambda: images_of(app, repository), f"the images of {repository}")
    send_burst(app, typed("j" * moves), press("enter"))
    image = images.table.rows[moves]
    await until(pilot, lambda: findings.image == image, "the findings of the image opened")
    return image


async def test_back_and_forward_restore_the_pane_the_image_and_the_repository(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, findings = panes(app)
        await repositories_loaded(app, pilot)
        image = await open_image(app, pilot, "platform/nginx-base", 2)
        send_burst(app, typed(":repo data/airflow"), press("enter"))
        await until(pilot, lambda: images_of(app, "data/airflow"), "the second repository")

        send_burst(app, typed("["))
        await until(pilot, lambda: images_of(app, "platform/nginx-base"), "the first, again")
        await until(pilot, lambda: images.table.current_row == image, "the image opened")
        assert app.focused is findings.table
        assert repositories.table.current_row.name == "platform/nginx-base"
        await until(pilot, lambda: findings.image == image, "its findings")

        # Two keys in one burst land as they would typed slowly.
        send_burst(app, typed("["), typed("["))
        await settled(pilot)
        await until(pilot, lambda: app.focused is repositories.table, "the repositories pane")
        assert repositories.table.current_row.name == "platform/nginx-base"
        assert "Nothing to go back to" not in app.notification_log.text()
        send_burst(app, typed("["))
        await until(
            pilot, lambda: "Nothing to go back to" in app.notification_log.text(), "the start"
        )

        send_burst(app, typed("]]]"))
        await until(pilot, lambda: images_of(app, "data/airflow"), "forward to the last one")
        await settled(pilot)
        assert app.focused is images.table
        send_burst(app, typed("]"))
        await until(pilot, lambda: "Nothing ahead" in app.notification_log.text(), "the end")

        # Opening something after going back drops what was ahead, as a browser does.
        send_burst(app, typed("[["))
        await until(pilot, lambda: app.history.at == 1, "back twice")
        await until(pilot, lambda: images_of(app, "platform/nginx-base"), "the first repository")
        await settled(pilot)
        assert app.focused is images.table and images.table.current_row == image
        send_burst(app, typed(":repo data/dbt-runner"), press("enter"))
        await until(pilot, lambda: images_of(app, "data/dbt-runner"), "a new repository")
        assert app.history.peek(1) is None
        assert [place.pane for place in app.history.places] == ["repositories", "images", "images"]
        assert app.history.places[-1].repository == "data/dbt-runner"

        # Places belong to the registry they were opened in: once the app is elsewhere
        # (another region: `settings` is what the app connects with), they are not
        # restored there, where a repository of the same name is another one.
        at = app.history.at
        app.settings = replace(app.settings, region="eu-west-1")
        send_burst(app, typed("["))
        await until(pilot, lambda: "Nothing to go back to here" in app.notification_log.text(), "")
        assert "was opened in profile default, us-east-1" in app.notification_log.text()
        assert app.history.at == at and images_of(app, "data/dbt-runner")


async def test_a_place_whose_image_or_repository_is_gone_says_so_and_changes_nothing(
    changing_endpoint: LocalEcr,
) -> None:
    settings = ConnectionSettings(endpoint_url=changing_endpoint.url, region="us-east-1", demo=True)
    client = plain_ecr_client(changing_endpoint)
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, findings = panes(app)
        await repositories_loaded(app, pilot)
        names = [repository.name for repository in repositories.table.rows]
        with_images = [
            name
            for name in names
            if len(client.describe_images(repositoryName=name)["imageDetails"]) > 2
        ]
        first, second = with_images[:2]
        image = await open_image(app, pilot, first, 1)
        send_burst(app, typed("["))
        await until(pilot, lambda: app.focused is images.table, "back to the images")

        client.batch_delete_image(repositoryName=first, imageIds=[{"imageDigest": image.digest}])
        send_burst(app, typed("r"))
        await until(
            pilot,
            lambda: images_of(app, first) and images.table.find_row(lambda i: i == image) is None,
            "the image gone from the listing",
        )
        send_burst(app, typed("]"))
        await until(pilot, lambda: "is gone from" in app.notification_log.text(), "a warning")
        assert f"is gone from {first}: nothing changed" in app.notification_log.text()
        assert app.focused is images.table
        current = app.history.current
        assert current is not None and current.key == (app.context_key, "images", first)

        send_burst(app, typed(f":repo {second}"), press("enter"))
        await until(pilot, lambda: images_of(app, second), "another repository")
        # The place before is an image of a repository no longer listed here: ECR is
        # asked, and the image it left has gone since.
        left = app.history.peek(-1)
        assert left is not None and left.repository == first and left.image is not None
        client.batch_delete_image(repositoryName=first, imageIds=[{"imageDigest": left.image}])
        before = app.history.at
        send_burst(app, typed("["), typed("j"))
        warning = f"{left.image_label} is gone from {first}: nothing changed."
        await until(pilot, lambda: warning in app.notification_log.text(), "asked ECR")
        await settled(pilot)
        assert images.repository is not None and images.repository.name == second
        assert app.focused is images.table and images.table.cursor_row == 1  # j came after
        assert app.history.at == before

        client.delete_repository(repositoryName=first, force=True)
        send_burst(app, typed("r"))
        await until(
            pilot,
            lambda: (
                not repositories.is_loading
                and repositories.table.find_row(lambda r: r.name == first) is None
            ),
            "the repository gone from the listing",
        )
        before = app.history.at
        send_burst(app, typed("["))
        await until(
            pilot, lambda: "gone from the registry" in app.notification_log.text(), "a warning"
        )
        await settled(pilot)
        assert f"{first} is gone from the registry: nothing changed." in app.notification_log.text()
        assert images.repository is not None and images.repository.name == second
        assert app.focused is images.table
        assert app.history.at == before
        assert findings.image is None or findings.image.repository == second


def test_history_keeps_the_cursor_of_each_place_and_drops_what_was_ahead() -> None:
    here = ("", "us-east-1", "")
    history = History()
    history.opened(
        Place("images", "a", context=here), came_from=Place("repositories", "a", context=here)
    )
    history.moved(Place("images", "a", "sha256:1", "v1", context=here))
    history.moved(Place("images", "b", "sha256:9", "other", context=here))  # not this place's
    history.moved(Place("images", "a", "sha256:8", "elsewhere", context=("", "eu-west-1", "")))
    history.opened(Place("findings", "a", "sha256:1", "v1", context=here))
    history.opened(Place("images", "b", context=here))
    assert [p.pane for p in history.places] == ["repositories", "images", "findings", "images"]
    assert history.places[1] == Place("images", "a", "sha256:1", "v1", context=here)
    history.go(-2)
    assert history.current == Place("images", "a", "sha256:1", "v1", context=here)
    history.opened(Place("images", "a", context=here))  # the same page again: no new place
    assert len(history.places) == 4 and history.at == 1
    history.opened(Place("images", "a", context=("prod", "us-east-1", "")))  # another registry's
    assert len(history.places) == 3 and history.at == 2
    history.opened(Place("images", "c", context=here))
    assert [p.repository for p in history.places] == ["a", "a", "a", "c"]
    assert history.peek(1) is None and history.peek(-1) == history.places[2]
