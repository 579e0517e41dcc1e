"""The images pane and the details view on a registry of every kind of manifest.

An index is one row (its platforms, its platforms' worst scan), unfolds with `e`,
every manifest is listed with `a`; platforms cost one batched call per screen;
`x` shows everything, copyable; the repositories' Scan column follows the
registry's scanning rules; the account shows when STS cannot be reached.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Static

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.models import Image, SeverityCounts
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.image_details import ImageDetailsScreen
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane
from ecr_tui.ui.table.widget import VirtualTable
from tests.conftest import plain_ecr_client
from tests.pushed_manifests import ACCOUNT, REPOSITORY, Pushed, registry_of_every_kind
from tests.test_app import images_loaded, open_repository, status_text

SIZE = (170, 40)  # wide enough for every column of the images pane


@pytest.fixture(scope="module")
def pushed() -> Iterator[Pushed]:
    """Every kind of manifest, pushed to an endpoint of its own."""
    with registry_of_every_kind() as registry:
        ecr = plain_ecr_client(registry.endpoint)
        ecr.create_repository(
            repositoryName="kinds/excluded",
            imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters=[
                {"filterType": "WILDCARD", "filter": "latest"},
                {"filterType": "WILDCARD", "filter": "dev-*"},
            ],
            encryptionConfiguration={
                "encryptionType": "KMS_DSSE",
                "kmsKey": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/dual",
            },
        )
        yield registry


async def switch_to(app: EcrApp, pilot: Any, name: str) -> ImagesPane:
    """Back to the repositories, unfiltered, and into `name`."""
    repositories = app.query_one(RepositoriesPane)
    repositories.filter_box.value = ""
    repositories.table.focus()
    await pilot.pause()
    assert repositories.table.move_to_first(lambda repository: repository.name == name)
    await pilot.press("enter")
    return await images_loaded(app, pilot, name)


def line_of(table: VirtualTable[Any], row: Any) -> str:
    """The row's line as drawn on screen."""
    index = next(n for n, shown in enumerate(table.rows) if shown is row)
    y = index - int(table.scroll_y) + 1
    assert 1 <= y < table.size.height, "the row is not on screen"
    return table.render_line(y).text


def row(images: ImagesPane, digest: str) -> Image:
    found = next((image for image in images.table.rows if image.digest == digest), None)
    assert found is not None, f"{digest} is not a row"
    return found


async def manifests_read(images: ImagesPane, pilot: Any, *digests: str) -> None:
    await wait_until(pilot, lambda: all(d in images.image_tree.manifests for d in digests))


async def test_an_index_is_one_row_with_its_platforms_and_their_worst_scan(pushed: Pushed) -> None:
    app = EcrApp(pushed.settings)
    async with app.run_test(size=SIZE) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        release, older, legacy = pushed.release, pushed.older, pushed.manifest_list
        await manifests_read(images, pilot, release.digest, older.digest, legacy.digest)
        # The indexes, the plain image and the chart: no child or attestation of their own.
        assert {image.digest for image in images.table.rows} == {
            release.digest,
            older.digest,
            legacy.digest,
            pushed.single,
            pushed.chart,
        }
        assert "12 folded" in str(images.border_subtitle)  # children, attestations, referrers
        line = line_of(images.table, row(images, release.digest))
        assert "2026.11.4, latest" in line and "▸ amd64 arm64" in line
        children = images.image_tree.by_digest
        expected = max((children[d].severity_row for d in release.platforms.values()), default=None)
        assert expected is not None and all(
            children[d].scan_state.name == "COMPLETE" for d in release.platforms.values()
        )
        worst = SeverityCounts.from_row(expected)
        letters = " ".join(f"{s.name[0]}{n}" for s, n in worst.counts if s.name[0] in "CHML")
        assert letters and letters in line, "the worst platform's counts, not 'not scanned'"
        assert "▸ amd64 arm/v7" in line_of(images.table, row(images, legacy.digest))
        assert "Helm chart" in line_of(images.table, row(images, pushed.chart))
        # Its findings are its platforms' (read with what the index lists), not "never scanned".
        images.table.move_to(row(images, release.digest))
        findings = app.query_one(FindingsPane)
        await wait_until(pilot, lambda: findings.platforms == tuple(release.platforms.items()))
        assert "never been scanned" not in findings.table.empty_text


async def test_e_unfolds_an_index_under_it_and_a_lists_every_manifest(pushed: Pushed) -> None:
    app = EcrApp(pushed.settings)
    async with app.run_test(size=SIZE) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        release = pushed.release
        await manifests_read(images, pilot, release.digest)
        index = row(images, release.digest)
        images.table.move_to(index)
        await pilot.press("e")
        at = images.table.rows.index(index)
        under = [image.digest for image in images.table.rows[at + 1 : at + 5]]
        assert under == [*release.platforms.values(), *release.attestations]
        assert "└ linux/amd64" in line_of(images.table, images.table.rows[at + 1])
        assert "└ linux/arm64/v8" in line_of(images.table, images.table.rows[at + 2])
        # Sorted the other way, the platforms stay under their index.
        await pilot.press("o")
        at = images.table.rows.index(index)
        assert [i.digest for i in images.table.rows[at + 1 : at + 3]] == list(
            release.platforms.values()
        )
        await pilot.press("e")
        assert release.platforms["linux/amd64"] not in {i.digest for i in images.table.rows}
        # a: every manifest a row of its own, untagged children too.
        await pilot.press("a")
        shown = {image.digest for image in images.table.rows}
        assert {*release.platforms.values(), *release.attestations} <= shown
        assert images.table.hidden_rows == 0
        child = row(images, release.platforms["linux/arm64/v8"])
        assert "platform" in line_of(images.table, child)
        images.table.move_to(child)
        await pilot.press("a")  # folded again: the cursor goes to the index
        assert images.table.current_row is index


async def test_platforms_cost_one_call_per_screen_and_nothing_for_plain_images(
    pushed: Pushed,
) -> None:
    app = EcrApp(pushed.settings)
    async with app.run_test(size=SIZE) as pilot:
        images = await open_repository(app, pilot, "kinds/plain")
        await pilot.pause(0.5)
        assert app.reader.call_count("BatchGetImage") == 0
        assert "Type" not in [c.label for c in images.table.columns]
        await switch_to(app, pilot, REPOSITORY)
        await manifests_read(images, pilot, pushed.release.digest, pushed.older.digest)
        await pilot.press("j", "j", "k", "G", "g")
        await pilot.pause(0.5)
        # Three indexes on one screen: one BatchGetImage, however the cursor moves.
        assert app.reader.call_count("BatchGetImage", REPOSITORY) == 1
        labels = [c.label for c in images.table.columns]
        assert labels[3:6] == ["Scan", "Type", "Refs"]


async def test_the_cursor_starts_on_an_index_and_each_platform_scan_is_read_once(
    ecr_settings: ConnectionSettings,
) -> None:
    # The demo's first repository starts with a buildx index whose platforms' images
    # were pushed in the same second: the index sorts first, not one of its platforms,
    # so the findings pane is not sent to a platform's scan first and then to all.
    repository = "apps/web-frontend"
    app = EcrApp(ecr_settings)
    async with app.run_test(size=SIZE) as pilot:
        images, findings = app.query_one(ImagesPane), app.query_one(FindingsPane)
        await wait_until(
            pilot,
            lambda: (
                len(findings.platforms) > 1
                and len(findings.platform_reports) == len(findings.platforms)
            ),
        )
        await pilot.pause(0.5)
        assert images.repository is not None and images.repository.name == repository
        first = images.table.current_row
        assert first is not None and first.is_index and first.tags
        assert findings.image == first
        platforms = len(findings.platforms)
        assert app.reader.call_count("DescribeImageScanFindings", repository) == platforms


async def test_a_late_answer_about_another_repository_is_dropped(pushed: Pushed) -> None:
    app = EcrApp(pushed.settings)
    async with app.run_test(size=SIZE) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        await manifests_read(images, pilot, pushed.release.digest)
        manifest = images.image_tree.manifests[pushed.release.digest]
        await switch_to(app, pilot, "kinds/plain")
        # What was asked about the repository before comes after the user moved on.
        images.post_message(ImagesPane.ManifestsRead(REPOSITORY, [manifest.digest], [manifest]))
        await pilot.pause(0.2)
        assert images.image_tree.repository == "kinds/plain"
        assert not images.image_tree.manifests
        assert "Type" not in [c.label for c in images.table.columns]
        # Nor does an answer that names another repository count for this one.
        images.post_message(
            ImagesPane.ManifestsRead(
                "kinds/plain", [manifest.digest], [replace(manifest, repository=REPOSITORY)]
            )
        )
        await pilot.pause(0.2)
        assert not images.image_tree.manifests


async def test_x_shows_the_image_in_full_and_copies_its_json(pushed: Pushed) -> None:
    app = EcrApp(pushed.settings)
    async with app.run_test(size=SIZE) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        await manifests_read(images, pilot, pushed.release.digest)
        images.table.move_to(row(images, pushed.release.digest))
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ImageDetailsScreen)
        await wait_until(pilot, lambda: screen.details is not None)
        assert screen.details is not None
        item = json.loads(screen.details.describe_item)
        plain = plain_ecr_client(pushed.endpoint).describe_images(
            repositoryName=REPOSITORY, imageIds=[{"imageDigest": pushed.release.digest}]
        )["imageDetails"][0]
        assert set(item) == set(plain)
        assert item["imageTags"] == plain["imageTags"] == ["2026.11.4", "latest"]
        assert item["imageManifestMediaType"] == "application/vnd.oci.image.index.v1+json"
        assert json.loads(screen.details.manifest) == json.loads(pushed.release.text)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(screen.query_one("#details-fields", Static).content)
        fields = console.export_text()
        for digest in pushed.release.platforms.values():
            assert digest in fields
        assert "linux/arm64/v8" in fields and "2026.11.4, latest" in fields
        await pilot.press("c")
        assert app.clipboard == screen.details.describe_item
        await pilot.press("m")
        assert json.loads(app.clipboard) == json.loads(pushed.release.text)
        await pilot.press("escape")
        assert not isinstance(app.screen, ImageDetailsScreen)


async def test_repositories_show_scanning_rules_exclusions_and_dual_layer_kms(
    pushed: Pushed,
) -> None:
    ecr = plain_ecr_client(pushed.endpoint)
    ecr.put_registry_scanning_configuration(
        scanType="ENHANCED",
        rules=[
            {
                "scanFrequency": "CONTINUOUS_SCAN",
                "repositoryFilters": [{"filter": "kinds/multi*", "filterType": "WILDCARD"}],
            }
        ],
    )
    try:
        app = EcrApp(pushed.settings)
        async with app.run_test(size=SIZE) as pilot:
            repositories = app.query_one(RepositoriesPane)
            await wait_until(pilot, lambda: len(repositories.scanning) == 3)
            table = repositories.table
            by_name = {repo.name: repo for repo in table.rows}
            assert "enh·cont" in line_of(table, by_name[REPOSITORY])
            assert " off " in line_of(table, by_name["kinds/plain"])
            excluded = line_of(table, by_name["kinds/excluded"])
            assert "IMMUTABLE*" in excluded and "KMS_DSSE" in excluded
            table.move_to(by_name["kinds/excluded"])
            await pilot.pause()
            info = repositories.info.text.plain
            assert "immutable except tags latest, dev-*" in info
            assert "KMS_DSSE (dual-layer)" in info
            table.move_to(by_name[REPOSITORY])
            await pilot.pause()
            assert "enhanced · continuous (registry filter kinds/multi*)" in (
                repositories.info.text.plain
            )
            # One registry call, and the repositories in one batch of up to 25.
            assert app.reader.call_count("GetRegistryScanningConfiguration") == 1
            assert app.reader.call_count("BatchGetRepositoryScanningConfiguration") == 1
    finally:
        ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[])


async def test_the_account_shows_while_sts_cannot_be_reached(pushed: Pushed) -> None:
    no_sts = replace(pushed.settings, sts_endpoint_url="http://127.0.0.1:9")
    app = EcrApp(no_sts)
    async with app.run_test(size=SIZE) as pilot:
        repositories = app.query_one(RepositoriesPane)
        await wait_until(pilot, lambda: app.account is not None and not repositories.is_loading)
        assert app.account is not None and app.account.identity_problem
        assert f"account {ACCOUNT} · us-east-1" in status_text(app)
        assert "not connected" not in status_text(app)


async def test_referrers_are_letters_on_their_subject_and_listed_in_full(pushed: Pushed) -> None:
    app = EcrApp(pushed.settings)
    async with app.run_test(size=SIZE) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        await manifests_read(images, pilot, pushed.release.digest)
        release = row(images, pushed.release.digest)
        # Signed (S), an SBOM (B), buildx's attestations (A): on the index, not as rows.
        assert " SBA " in line_of(images.table, release)
        shown = {image.digest for image in images.table.rows}
        assert pushed.signature not in shown and pushed.sbom not in shown
        images.table.move_to(release)
        await pilot.pause()
        assert "referrers: 1 signature, 1 SBOM" in images.info.text.plain
        # Listed as rows of their own on demand, saying what they are.
        await pilot.press("a")
        assert "signature" in line_of(images.table, row(images, pushed.signature))
        assert "SBOM" in line_of(images.table, row(images, pushed.sbom))
        await pilot.press("a")
        # ListImageReferrers in the details view.
        images.table.move_to(release)
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ImageDetailsScreen)
        await wait_until(pilot, lambda: screen.details is not None)
        assert screen.details is not None and screen.details.referrers is not None
        kinds = {r.digest: r.kind.value for r in screen.details.referrers}
        assert kinds == {pushed.signature: "signature", pushed.sbom: "SBOM"}
        listed = str(screen.query_one("#details-referrers", Static).content)
        assert pushed.signature in listed and "application/vnd.cncf.notary.signature" in listed


async def test_archive_says_what_it_costs_and_an_archived_image_is_listed_not_pulled(
    pushed: Pushed,
) -> None:
    app = EcrApp(pushed.settings)
    async with app.run_test(size=SIZE) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        images.table.move_to(row(images, pushed.single))
        await pilot.press("A")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert "90 days" in dialog.body and "20 minutes" in dialog.body
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: (
                not images.is_loading
                and any(i.digest == pushed.single and i.is_archived for i in images.table.rows)
            ),
        )
        archived = row(images, pushed.single)
        assert archived.image_status == "ARCHIVED"
        assert "archived" in line_of(images.table, archived)
        assert "1 archived" in str(images.border_subtitle)
        # /is:archived lists the archived images only.
        await pilot.press("slash", *"is:archived", "enter")
        assert [image.digest for image in images.table.rows] == [pushed.single]
        # A pull is refused with the reason, before Docker is even asked.
        images.table.move_to(archived)
        await pilot.press("p")
        await pilot.pause()
        assert any(
            "archived" in n.message and "Restore it first" in n.message for n in app._notifications
        )
        # Restoring asks too, then the image is on its way back.
        await pilot.press("A")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert "20 minutes" in dialog.body and "90-day minimum" in dialog.body
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: (
                not images.is_loading
                and images.table.find_row(
                    lambda i: i.digest == pushed.single and i.image_status == "ACTIVATING"
                )
                is not None
            ),
        )
        images.filter_box.value = ""  # (it is no longer archived: the filter hides it)
        await pilot.pause()
        assert "restoring" in line_of(images.table, row(images, pushed.single))


async def test_keys_sent_with_x_land_in_the_details_view(pushed: Pushed) -> None:
    app = EcrApp(pushed.settings)
    async with app.run_test(size=SIZE) as pilot:
        images = await open_repository(app, pilot, REPOSITORY)
        images.table.move_to(row(images, pushed.chart))
        # In one burst, as over SSH: d copies the digest there (in the pane it deletes).
        await pilot.press("x", "d")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ImageDetailsScreen)
        assert app.clipboard == pushed.chart
