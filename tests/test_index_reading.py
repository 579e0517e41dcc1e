"""Every index of a repository is read, in the background, whatever is on screen.

What an index lists (its platforms) is read with BatchGetImage, the indexes on
screen first, then every other: the count and what is folded end the same at any
terminal size, after scrolling and after the repository is opened again (the
manifests read before are taken from the cache), and say they are provisional
while indexes are left to read.
"""

from __future__ import annotations

import re
from typing import Any

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.images import ImagesPane
from tests.test_app import repositories_loaded
from tests.test_app_images import switch_to

MULTI_ARCH = "apps/web-frontend"  # the demo's buildx indexes, 4 manifests each


async def read_through(app: EcrApp, pilot: Any, said: list[str] | None = None) -> ImagesPane:
    """The images pane once every index of the repository is read; `said` gets the
    border's count as it was at each look meanwhile (every 20 ms)."""
    images = app.query_one(ImagesPane)
    seen = said if said is not None else []
    await wait_until(
        pilot,
        lambda: (
            seen.append(str(images.border_subtitle)) is None
            and images.image_tree.repository == MULTI_ARCH
            and not images.is_loading
            and images.image_tree.indexes
            and not images.image_tree.unread
            and not images.image_tree.asked
        ),
        timeout=30,
    )
    await pilot.pause(0.2)
    return images


def counts(images: ImagesPane) -> tuple[int, int, str]:
    table = images.table
    return len(table.rows), table.hidden_rows, str(images.border_subtitle)


async def test_the_count_is_the_same_at_any_size_after_scrolling_and_reopening(
    ecr_settings: ConnectionSettings,
) -> None:
    seen = []
    for size in ((80, 24), (120, 36)):
        app = EcrApp(ecr_settings)
        async with app.run_test(size=size) as pilot:
            said: list[str] = []  # the counts the border showed meanwhile
            # The demo's first repository, opened at start: watched from the first page.
            images = await read_through(app, pilot, said)
            await repositories_loaded(app, pilot)
            # Until every index was read, the count said it was provisional.
            provisional = [text for text in said if "reading" in text]
            assert provisional and all(re.search(r"reading \d+ index", t) for t in provisional)
            assert said[-1] == str(images.border_subtitle)
            tree = images.image_tree
            first = counts(images)
            # Every index known: each untagged row is a platform folded under its index.
            assert set(tree.manifests) == set(tree.indexes)
            assert "reading" not in first[2]
            assert first[1] == sum(len(m.entries) for m in tree.manifests.values())
            images.table.focus()
            await pilot.press("G")  # scrolled to the end, and back
            await pilot.pause(0.3)
            await pilot.press("g")
            await pilot.pause(0.3)
            assert counts(images) == first
            calls = app.reader.call_count("BatchGetImage", MULTI_ARCH)
            await switch_to(app, pilot, "charts/ingress")
            await switch_to(app, pilot, MULTI_ARCH)
            again = await read_through(app, pilot)
            assert counts(again) == first
            # Opened again: what was read is reused, not asked for again.
            assert app.reader.call_count("BatchGetImage", MULTI_ARCH) == calls
            seen.append(first)
    assert seen[0] == seen[1]
