"""The screen never shows another repository's or another image's data as current.

Against a demo endpoint of its own (the demo's 5,000-image `platform/build-cache`,
and an empty repository), while listings load page by page. A watcher samples the
panes every few milliseconds, between the app's own steps, as an eye on the
screen would: a wrong frame counts even when the end state is right.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from textual.widgets import Input

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.models import SEVERITIES_WORST_FIRST, Image, ScanState
from ecr_tui.demo.data.dataset import Dataset, build_dataset
from ecr_tui.demo.data.units import DAY
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.dialogs.text import TextInputScreen
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.findings import FINDINGS_STAY_SECONDS
from tests.conftest import plain_ecr_client
from tests.test_app import images_loaded, panes, repositories_loaded

ACCOUNT = "246813579024"
MANY_ACCOUNT = "246813579025"
BIG = "platform/build-cache"
EMPTY = "team/empty"
PAGE = 1000  # the images the endpoint sends a page (the reader asks for 1,000)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    """The demo's registry: 36 repositories, 5,000 images in platform/build-cache."""
    return build_dataset(repositories=36, big_repository_images=5000)


@pytest.fixture(scope="module")
def endpoint(demo: Dataset) -> Iterator[LocalEcr]:
    """The demo's registry with one empty repository more, served over HTTP."""
    server = LocalEcr(account_id=ACCOUNT, scan_seconds=0.5)
    server.start()
    server.seed(demo)
    plain_ecr_client(server).create_repository(repositoryName=EMPTY)
    yield server
    server.stop()


@pytest.fixture()
def settings(endpoint: LocalEcr) -> ConnectionSettings:
    return ConnectionSettings(endpoint_url=endpoint.url, region="us-east-1", demo=True)


# -- watching the screen ---------------------------------------------------------------


@contextlib.asynccontextmanager
async def watching(rule: Callable[[], list[str]]) -> AsyncIterator[list[str]]:
    """Check `rule` every few milliseconds while the block runs; what it found, once each."""
    found: list[str] = []

    async def sample() -> None:
        while True:
            found.extend(problem for problem in rule() if problem not in found)
            await asyncio.sleep(0.003)

    task = asyncio.create_task(sample())
    try:
        yield found
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        found.extend(problem for problem in rule() if problem not in found)


def untruths(app: EcrApp) -> list[str]:
    """What the panes show that belongs to another repository or image than they say."""
    _, images, findings = panes(app)
    problems = []
    shown = images.repository.name if images.repository else None
    if findings.image is not None and findings.image.repository != shown:
        problems.append(f"findings of a {findings.image.repository} image beside {shown}")
    if findings.image is None and findings.border_title != "Findings":
        problems.append(f"no image, but the findings pane is titled {findings.border_title}")
    if not findings.table.total_rows and findings.info.text.plain:
        problems.append(f"no finding, but under them: {findings.info.text.plain}")
    info, row = images.info.text.plain, images.table.current_row
    if not info.startswith("Looking for"):
        if row is None and "sha256:" in info:
            problems.append(f"no image highlighted, but the info lines describe one: {info}")
        if row is not None and row.digest not in info:
            problems.append(f"the info lines describe another image than {row.digest}: {info}")
    return problems


# -- driving -------------------------------------------------------------------------


async def open_repository(app: EcrApp, pilot: Any, name: str, *, findings: bool = True) -> None:
    """Choose `name` in the repositories pane (enter), and wait for its images
    (and, with `findings`, for the newest image's findings)."""
    repositories, images, findings_pane = panes(app)
    await repositories_loaded(app, pilot)
    assert repositories.table.move_to_first(lambda repo: repo.name == name)
    repositories.table.focus()
    await pilot.press("enter")
    await images_loaded(app, pilot, name, timeout=60)
    if findings:
        await wait_until(
            pilot,
            lambda: (
                findings_pane.image is not None
                and findings_pane.image == images.table.current_row
                and not findings_pane.is_loading
            ),
        )


async def go_to(app: EcrApp, pilot: Any, reference: str) -> None:
    """ctrl+g, paste `reference`, enter."""
    await pilot.press("ctrl+g")
    assert isinstance(app.screen, TextInputScreen)
    app.screen.query_one(Input).value = reference
    await pilot.press("enter")
    assert not isinstance(app.screen, TextInputScreen), reference


def by_pages(dataset: Dataset, name: str) -> list[list[Any]]:
    """A repository's images as the endpoint pages them: in push order, 1,000 a page."""
    images = list(dataset.repository(name).images())
    return [images[start : start + PAGE] for start in range(0, len(images), PAGE)]


# -- an empty repository ---------------------------------------------------------------


async def test_an_empty_repository_shows_nothing_of_the_one_before(
    settings: ConnectionSettings,
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await open_repository(app, pilot, "web/storefront")
        before = images.table.current_row
        assert before is not None and before.digest in images.info.text.plain
        assert findings.report is not None

        async with watching(lambda: untruths(app)) as problems:
            await open_repository(app, pilot, EMPTY, findings=False)
            await pilot.pause(0.3)  # longer than the findings pane takes to follow
        assert problems == []
        assert images.table.total_rows == 0
        assert images.info.text.plain == f"No images in {EMPTY}."
        assert findings.image is None and findings.report is None
        assert findings.table.total_rows == 0
        assert findings.border_title == "Findings"
        assert findings.summary.text.plain == f"No images in {EMPTY}."
        assert findings.table.empty_text == f"No images in {EMPTY}."
        assert findings.info.text.plain == ""


# -- a scan's report reaches the image's row --------------------------------------------


async def test_a_scan_report_updates_the_images_row_in_place(
    settings: ConnectionSettings,
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await open_repository(app, pilot, "data/etl-runner")  # manual scans only
        now = time.time()
        target = next(
            image
            for image in images.table.rows[2:]
            if image.scan_state is ScanState.NOT_SCANNED
            and (image.pushed_seconds or now) < now - 2 * DAY  # scans once a day at most
        )
        images.table.move_to(target)
        images.table.focus()
        await pilot.pause(0.3)
        position = images.table.cursor_row
        await pilot.press("S")

        def reported() -> bool:
            report = findings.report
            return (
                report is not None
                and report.digest == target.digest
                and (report.state is ScanState.COMPLETE)
            )

        await wait_until(pilot, reported, timeout=30)
        await pilot.pause(0.3)
        report = findings.report
        assert report is not None and report.summary.total
        row = images.table.current_row
        assert row is not None and row.digest == target.digest, "the cursor stays on it"
        assert images.table.cursor_row == position
        assert row.scan_state is ScanState.COMPLETE
        assert row.severity_row == tuple(report.summary.get(s) for s in SEVERITIES_WORST_FIRST)
        # One row per image still, and nothing else changed.
        assert sum(image.digest == target.digest for image in images.table.rows) == 1
        assert row._replace(scan_status="", severity_row=(), scan_description="") == (
            target._replace(scan_status="", severity_row=(), scan_description="")
        )


# -- go to an image ----------------------------------------------------------------------


def go_to_targets(dataset: Dataset, rng: random.Random) -> list[tuple[str, str, Image | Any]]:
    """(repository, reference, the image) to go to: tags on every page of the big
    repository, and tags such as `prod` that other repositories have too."""
    targets = []
    for page in by_pages(dataset, BIG):
        image = rng.choice([image for image in page if image.tags])
        targets.append((BIG, f"{BIG}:{image.tags[0]}", image))
    small = [spec for spec in dataset.repositories if spec.image_count < 100]
    tags_of = {spec.name: [i.tags for i in spec.images()] for spec in small}
    for spec in small:
        for image in spec.images():
            for tag in image.tags:
                elsewhere = [
                    name
                    for name, tags in tags_of.items()
                    if name != spec.name and any(tag in t for t in tags)
                ]
                if elsewhere and tag != "latest":  # `latest` is the newest: no test
                    targets.append((spec.name, f"{spec.name}:{tag}", image))
    return targets


async def test_go_to_always_lands_on_the_asked_image(
    settings: ConnectionSettings, demo: Dataset
) -> None:
    rng = random.Random(12)
    targets = go_to_targets(demo, rng)
    big = [t for t in targets if t[0] == BIG]
    shared = [t for t in targets if t[0] != BIG]
    assert len(big) == 5 and len(shared) > 10
    tries = [*big, *big, *rng.sample(shared, 10)]
    rng.shuffle(tries)
    others = [spec.name for spec in demo.repositories if spec.image_count < 100]
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await repositories_loaded(app, pilot)
        for number, (name, reference, image) in enumerate(tries):
            # Come from another repository, sometimes one holding the same tag, and
            # sometimes before its images have all come.
            before = rng.choice([other for other in others if other != name])
            await go_to(app, pilot, before)
            if rng.random() < 0.5:
                await images_loaded(app, pilot, before, timeout=60)
            else:
                await pilot.pause(rng.uniform(0, 0.1))
            if rng.random() < 0.3:
                reference = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{reference}"
            elif rng.random() < 0.2:
                reference = f"{name}@{image.digest}"

            def rule(name: str = name, image: Any = image) -> list[str]:
                problems = untruths(app)
                if images.repository is None or images.repository.name != name:
                    return problems  # the go-to is not under way yet
                if findings.image is not None and findings.image.digest != image.digest:
                    problems.append(f"the findings of {findings.image.tags}")
                row = images.table.current_row
                on_it = row is not None and row.digest == image.digest
                if not on_it and not images.info.text.plain.startswith("Looking for"):
                    problems.append(f"the cursor is on {row and row.tags}, not looking")
                return problems

            async with watching(rule) as problems:
                await go_to(app, pilot, reference)
                await images_loaded(app, pilot, name, timeout=60)
                await wait_until(
                    pilot,
                    lambda image=image: (
                        findings.image is not None and findings.image.digest == image.digest
                    ),
                    timeout=10,
                )
            row = images.table.current_row
            assert row is not None and row.digest == image.digest, (number, reference, row)
            assert problems == [], (number, reference)
            assert image.digest in images.info.text.plain


async def test_go_to_a_missing_tag_says_so_and_leaves_the_cursor(
    settings: ConnectionSettings,
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await open_repository(app, pilot, "web/storefront")
        async with watching(lambda: untruths(app)) as problems:
            # In another repository: its newest image stays under the cursor.
            await go_to(app, pilot, f"{BIG}:no-such-tag")
            await images_loaded(app, pilot, BIG, timeout=60)
            newest = images.table.rows[0]
            await wait_until(pilot, lambda: findings.image == newest)
            assert images.table.current_row == newest
            # In the repository shown: the cursor does not move.
            images.table.focus()
            await pilot.press("j", "j")
            here = images.table.current_row
            await go_to(app, pilot, f"{BIG}:no-such-tag-either")
            await pilot.pause(0.3)
            assert images.table.current_row == here and findings.image == here
        assert problems == []
        said = [n.message for n in app._notifications]
        assert any(f"No image no-such-tag in {BIG}" in message for message in said)
        assert any(f"No image no-such-tag-either in {BIG}" in message for message in said)


async def test_a_key_during_a_go_to_takes_the_lead(
    settings: ConnectionSettings, endpoint: LocalEcr, demo: Dataset
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await open_repository(app, pilot, "web/storefront")
        target = next(image for image in by_pages(demo, BIG)[1] if image.tags)
        endpoint.lock.acquire()  # the listing waits
        try:
            await go_to(app, pilot, f"{BIG}:{target.tags[0]}")
            assert images.info.text.plain == f"Looking for {target.tags[0]} in {BIG}…"
            assert app.focused is images.table
            await pilot.press("j")
        finally:
            endpoint.lock.release()
        await images_loaded(app, pilot, BIG, timeout=60)
        await pilot.pause(0.3)
        row = images.table.current_row
        assert row is not None and row.digest != target.digest, "the key decided"
        assert row.digest in images.info.text.plain
        await wait_until(pilot, lambda: findings.image == images.table.current_row)
        assert not any("No image" in n.message for n in app._notifications)


# -- moving quickly, slow answers, refresh ---------------------------------------------------


async def test_switching_repositories_in_a_burst_shows_nothing_of_the_last_one(
    settings: ConnectionSettings,
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, findings = panes(app)
        await open_repository(app, pilot, "data/airflow")
        start = repositories.table.cursor_row
        repositories.table.focus()
        async with watching(lambda: untruths(app)) as problems:
            await pilot.press("j", "j", "j", "enter")
            wanted = repositories.table.rows[start + 3].name
            await images_loaded(app, pilot, wanted, timeout=60)
            await wait_until(pilot, lambda: findings.image == images.table.current_row)
        assert problems == []


async def test_a_slow_findings_answer_never_passes_for_the_next_image(
    settings: ConnectionSettings, endpoint: LocalEcr
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await open_repository(app, pilot, "web/storefront")
        assert findings.table.total_rows and findings.info.text.plain  # a finding's link
        images.table.focus()
        async with watching(lambda: untruths(app)) as problems:
            endpoint.lock.acquire()  # every ECR answer waits
            try:
                for _ in range(2):
                    await pilot.press("j")
                    await pilot.pause(0.12 + FINDINGS_STAY_SECONDS + 0.3)
                    row = images.table.current_row
                    assert row is not None and findings.image == row
                    assert findings.border_title == f"Findings · {row.tags[0]}"
                    assert findings.summary.text.plain == "Loading findings…"
                    assert findings.table.total_rows == 0
            finally:
                endpoint.lock.release()
            await wait_until(pilot, lambda: findings.report is not None)
        assert problems == []
        report, row = findings.report, images.table.current_row
        assert report is not None and row is not None and report.digest == row.digest


async def test_refresh_keeps_the_image_and_its_findings_while_pages_come(
    settings: ConnectionSettings,
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await open_repository(app, pilot, BIG)
        # The third newest image: on the last page, so shown after the first one.
        images.table.focus()
        await pilot.press("j", "j")
        target = images.table.current_row
        assert target is not None
        await wait_until(pilot, lambda: findings.image == target and findings.report is not None)

        def rule() -> list[str]:
            problems = untruths(app)
            if findings.image is None or findings.image.digest != target.digest:
                problems.append(f"the findings of {findings.image and findings.image.tags}")
            return problems

        async with watching(rule) as problems:
            await pilot.press("r")
            await images_loaded(app, pilot, BIG, timeout=60)
            await pilot.pause(0.5)
        assert problems == []
        row = images.table.current_row
        assert row is not None and row.digest == target.digest


@pytest.fixture(scope="module")
def many_repositories() -> Iterator[LocalEcr]:
    """More repositories than ECR lists a page (1,000), so that they come in two."""
    server = LocalEcr(account_id=MANY_ACCOUNT)
    server.start()
    server.seed(build_dataset(repositories=1100, big_repository_images=0))
    yield server
    server.stop()


async def test_refresh_keeps_the_repository_while_its_pages_come(
    many_repositories: LocalEcr,
) -> None:
    settings = ConnectionSettings(endpoint_url=many_repositories.url, region="us-east-1", demo=True)
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, _ = panes(app)
        await repositories_loaded(app, pilot)
        assert repositories.table.total_rows == 1100
        # One of the repositories on the second page (created last), not first by name.
        listed = plain_ecr_client(many_repositories).describe_repositories(maxResults=1000)
        first_page = {r["repositoryName"] for r in listed["repositories"]}
        name = next(r.name for r in repositories.table.rows[::-1] if r.name not in first_page)
        await open_repository(app, pilot, name)

        def rule() -> list[str]:
            problems = untruths(app)
            if images.repository is None or images.repository.name != name:
                problems.append(f"the images of {images.repository and images.repository.name}")
            return problems

        for _ in range(3):
            async with watching(rule) as problems:
                await pilot.press("r")
                await wait_until(pilot, lambda: not repositories.is_loading, timeout=30)
                await images_loaded(app, pilot, name, timeout=60)
                await pilot.pause(0.3)
            assert problems == []
            assert repositories.table.current_row.name == name
