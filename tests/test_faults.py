"""What the screen says when ECR, the network or Docker fail, and after they recover.

The real app runs against the session's local ECR endpoint (moto over HTTP)
with a fault-injecting proxy in front of it (tests/fault_proxy.py): the
reader child and the app's own client go through the proxy exactly as they
would go through a flaky network to AWS. Each test injects a fault, checks
what the notifications, the status line, the panes' borders and info lines
say, and checks that nothing false stays once the fault is gone and `r` is
pressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ecr_tui.core.admin.lifecycle_policy import preview_lifecycle_policy
from ecr_tui.core.answers import ConnectionCut
from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import UserFacingError, explain_error
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane
from ecr_tui.ui.status_bar import StatusBar
from tests.conftest import BIG_REPOSITORY_IMAGES
from tests.fault_proxy import FaultProxy
from tests.test_app import open_repository, repositories_loaded, status_text

BIG = "platform/build-cache"  # three pages: 1,000 + 1,000 + the rest
FIRST = "platform/nginx-base"  # what is on screen before the fault
TARGET = "data/etl-runner"  # where the fault strikes (one page)

# Words that must never reach the screen.
NEVER_SHOWN = ("Traceback", "JSONDecodeError", "Unexpected error", "Not supported here")


@pytest.fixture()
def proxy(local_ecr: LocalEcr) -> Iterator[FaultProxy]:
    """A fault proxy in front of the session's endpoint, forwarding until told otherwise."""
    running = FaultProxy(local_ecr.url).start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Docker check must not find a daemon of this machine (Docker is tested below)."""
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")


def through(proxy: FaultProxy, read_timeout: float = 60.0) -> ConnectionSettings:
    """How the app reaches the endpoint: through the proxy."""
    return ConnectionSettings(
        endpoint_url=proxy.url, region="us-east-1", demo=True, read_timeout=read_timeout
    )


def notices(app: EcrApp) -> list[str]:
    """The notifications on screen, as `title: message`."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


def screen_text(app: EcrApp) -> str:
    """Everything the tests read off the screen, in one string."""
    repositories, images, findings = (
        app.query_one(RepositoriesPane),
        app.query_one(ImagesPane),
        app.query_one(FindingsPane),
    )
    parts = [status_text(app), *notices(app), findings.summary.text.plain]
    for pane in (repositories, images, findings):
        parts += [str(pane.border_title), str(pane.border_subtitle), pane.info.text.plain]
        parts.append(pane.table.empty_text)
    return "\n".join(parts)


def count_api_images(ecr_client: Any, repository: str) -> int:
    """How many images the endpoint holds (other test modules add and delete some)."""
    pages = ecr_client.get_paginator("describe_images").paginate(repositoryName=repository)
    return sum(len(page["imageDetails"]) for page in pages)


async def show_an_image_with_findings(app: EcrApp, pilot: Any) -> tuple[str, str]:
    """Open FIRST and rest on an image with findings; its digest and findings title."""
    images = await open_repository(app, pilot, FIRST)
    findings = app.query_one(FindingsPane)
    await wait_until(pilot, lambda: findings.report is not None and findings.table.total_rows)
    image = images.table.current_row
    assert image is not None
    return image.digest, str(findings.border_title)


# -- a listing that fails part-way -----------------------------------------------------


async def test_a_listing_cut_off_part_way_says_partial_and_r_completes_it(
    proxy: FaultProxy,
) -> None:
    # The third page of the big repository comes back cut off, however often it is asked.
    proxy.inject("truncate", "DescribeImages", repository=BIG, skip=2)
    app = EcrApp(through(proxy))
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, BIG)
        assert images.table.total_rows == 2000
        assert images.border_subtitle == "2,000+ images · partial: listing failed · r retry"
        await wait_until(pilot, lambda: any("Answer cut off" in n for n in notices(app)))
        (notice,) = notices(app)
        assert "the answer from ECR to DescribeImages was cut off 3 times in a row" in notice
        assert "press r" in notice
        # Asked three times (retried twice), not once: the failure was not the first try.
        third_page = proxy.requests("DescribeImages", BIG)[2:]
        assert [r.fault for r in third_page] == ["truncate"] * 3

        # The toast fades; the mark stays where the count is.
        app.clear_notifications()
        await pilot.pause()
        assert "2,000+" in str(images.border_subtitle) and "partial" in str(images.border_subtitle)

        await pilot.press("j", "j", "j")
        chosen = images.table.current_row
        assert chosen is not None
        proxy.clear()
        await pilot.press("r")
        await wait_until(
            pilot, lambda: not images.is_loading and images.table.total_rows > 2000, timeout=30
        )
        assert images.table.total_rows == BIG_REPOSITORY_IMAGES
        assert images.border_subtitle == f"{BIG_REPOSITORY_IMAGES:,} images"
        assert images.table.current_row == chosen, "r keeps the selection"
        assert not any(word in screen_text(app) for word in (*NEVER_SHOWN, "partial", "failed"))


async def test_faults_that_pass_are_retried_without_a_trace(
    proxy: FaultProxy, ecr_client: Any
) -> None:
    # Each page's first answer fails, a different way, the last page's twice; each is
    # asked again and the listing completes. (Requests: page 1, again, page 2, again,
    # page 3, again, again.)
    proxy.inject("throttle", "DescribeImages", repository=BIG, times=1)
    proxy.inject("cut", "DescribeImages", repository=BIG, skip=2, times=1)
    proxy.inject("truncate", "DescribeImages", repository=BIG, skip=4, times=1)
    proxy.inject("503", "DescribeImages", repository=BIG, skip=5, times=1)
    app = EcrApp(through(proxy))
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, BIG)
        await wait_until(pilot, lambda: images.table.total_rows == BIG_REPOSITORY_IMAGES)
        faults = [r.fault for r in proxy.requests("DescribeImages", BIG)]
        assert faults == ["throttle", None, "cut", None, "truncate", "503", None]
        await pilot.pause(0.3)
        assert images.border_subtitle == f"{BIG_REPOSITORY_IMAGES:,} images"
        assert notices(app) == []
        assert images.failure is None


# -- a listing that fails: each fault, what it says, and nothing else ---------------------

# Fault → the notification's title and words its message must hold.
LISTING_FAULTS = {
    "throttle": ("ECR is throttling requests", ("after retries", "wait a minute")),
    "500": ("ECR server error", ("HTTP 500", "AWS's side", "retried 2 times", "press r")),
    "503": ("ECR server error", ("HTTP 503", "AWS's side", "retried 2 times", "press r")),
    "hang": ("ECR did not answer in time", ("sent no answer", "press r")),
    "cut": ("Connection lost", ("broke in the middle of an answer", "press r")),
    "truncate": ("Answer cut off", ("cut off 3 times in a row", "press r")),
    "expired": ("Credentials expired", ("aws sso login",)),
    "invalid": ("Credentials rejected", ("access key is unknown",)),
    "denied": ("Access denied", ("ecr:DescribeImages", f"repository/{TARGET}")),
}


@pytest.mark.parametrize("fault", list(LISTING_FAULTS))
async def test_a_failed_listing_says_what_failed_and_nothing_false(
    proxy: FaultProxy, ecr_client: Any, fault: str
) -> None:
    title, words = LISTING_FAULTS[fault]
    # A hang ends with the read timeout (then botocore's retries): short here.
    app = EcrApp(through(proxy, read_timeout=2.0 if fault == "hang" else 60.0))
    async with app.run_test(size=(120, 36)) as pilot:
        digest, findings_title = await show_an_image_with_findings(app, pilot)
        images, findings = app.query_one(ImagesPane), app.query_one(FindingsPane)
        proxy.inject(fault, "DescribeImages", repository=TARGET)
        await pilot.press("escape")

        if fault == "hang":
            await pilot.press("slash", *TARGET, "enter", "enter")
            await wait_until(pilot, lambda: bool(proxy.requests("DescribeImages", TARGET)))
            # While ECR is silent: loading, and nothing of the last repository.
            await pilot.pause(0.3)
            assert "loading…" in str(images.border_subtitle)
            assert digest not in screen_text(app) and findings_title not in screen_text(app)
            await wait_until(pilot, lambda: not images.is_loading, timeout=40)
        else:
            await open_repository(app, pilot, TARGET)

        await wait_until(pilot, lambda: any(n.startswith(f"{title}:") for n in notices(app)))
        notice = next(n for n in notices(app) if n.startswith(f"{title}:"))
        for word in words:
            assert word in notice
        assert images.border_title == f"Images · {TARGET}"
        assert images.border_subtitle == "listing failed · r retry"
        assert images.table.empty_text == f"{title}. Press r to retry."
        assert images.info.text.plain.startswith(f"{title}: ")
        # The last repository's image is gone: not described, and its findings not shown.
        await wait_until(pilot, lambda: findings.image is None)
        assert findings.border_title == "Findings" and not findings.table.total_rows
        shown = screen_text(app)
        assert digest not in shown and findings_title not in shown
        assert not any(word in shown for word in NEVER_SHOWN)
        if fault in ("expired", "invalid"):
            # First (after the app's name, when there is room for it), before the account.
            shown = status_text(app).removeprefix("ecr-tui  ")
            assert shown.startswith(f"{title} · r retry  account 1234")

        # The fault passes: r shows the repository, and no word of the failure stays.
        proxy.clear()
        app.clear_notifications()
        await pilot.press("r")
        await wait_until(pilot, lambda: not images.is_loading and images.table.total_rows > 0)
        assert images.table.total_rows == count_api_images(ecr_client, TARGET)
        assert images.border_subtitle == f"{images.table.total_rows:,} images"
        assert images.failure is None
        # (After who and where, the breadcrumb: the repository open, and its image.)
        assert re.fullmatch(
            rf"ecr-tui  account 123456789012 · us-east-1 · \S+ \(demo\)(  {re.escape(TARGET)}.*)?",
            status_text(app),
        )
        # The findings pane follows the reloaded cursor once it has rested (0.12 s).
        await wait_until(pilot, lambda: title not in screen_text(app), timeout=5)


async def test_failed_findings_leave_no_findings_on_screen(proxy: FaultProxy) -> None:
    app = EcrApp(through(proxy))
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, FIRST)
        findings = app.query_one(FindingsPane)
        await wait_until(pilot, lambda: findings.report is not None)
        proxy.inject("503", "DescribeImageScanFindings")
        # The next image with findings: its findings fail.
        shown = findings.image
        target = next(
            i for i in images.table.rows if i.severity_counts.total and i != shown and i.tags
        )
        images.table.move_to(target)
        await wait_until(pilot, lambda: bool(notices(app)) and not findings.is_loading)
        assert findings.border_title == f"Findings · {target.tags[0]}"
        assert findings.border_subtitle == "listing failed · r retry"
        assert not findings.table.total_rows and findings.report is None
        assert findings.info.text.plain.startswith("ECR server error: ")
        assert findings.summary.text.plain == ""

        proxy.clear()
        await pilot.press("r")
        await wait_until(pilot, lambda: findings.report is not None and not findings.is_loading)
        assert findings.border_subtitle == f"{findings.table.total_rows:,} findings"
        assert findings.table.total_rows == target.severity_counts.total


# -- the status line -------------------------------------------------------------------


async def test_status_line_recovers_when_the_credentials_work_again(proxy: FaultProxy) -> None:
    proxy.inject("invalid")  # every call, STS and ECR
    app = EcrApp(through(proxy))
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = app.query_one(RepositoriesPane)
        await wait_until(pilot, lambda: "not connected" in status_text(app))
        assert status_text(app) == "ecr-tui  not connected: Credentials rejected"
        await wait_until(pilot, lambda: not repositories.is_loading)
        assert repositories.border_subtitle == "listing failed · r retry"

        proxy.clear()  # the user fixed the profile
        await pilot.press("r")
        await repositories_loaded(app, pilot)
        await wait_until(pilot, lambda: app.account is not None)
        assert status_text(app).startswith("ecr-tui  account 123456789012 · us-east-1 · ")
        assert "Credentials" not in status_text(app)
        assert repositories.failure is None and "failed" not in str(repositories.border_subtitle)


# -- the demo's own "not implemented" against AWS's server errors ------------------------

LIFECYCLE = (
    '{"rules": [{"rulePriority": 1, "description": "keep ten", '
    '"selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10}, '
    '"action": {"type": "expire"}}]}'
)


def test_a_server_error_is_not_taken_for_a_missing_operation(
    proxy: FaultProxy, ecr_client: Any
) -> None:
    service = EcrService(through(proxy))
    # The call failing on AWS's side (HTTP 500) is a server error, retried: not "not
    # supported", and not a reason to tell the user that real ECR lacks the call.
    proxy.inject("500", "StartLifecyclePolicyPreview")
    with pytest.raises(Exception) as failed:
        preview_lifecycle_policy(service, FIRST, LIFECYCLE)
    problem = explain_error(failed.value)
    assert problem.title == "ECR server error"
    assert "HTTP 500" in problem.detail and "retried 2 times" in problem.detail
    asked = proxy.requests("StartLifecyclePolicyPreview")
    assert [r.fault for r in asked] == ["500"] * 3

    # moto has no lifecycle previews: its own answer still reads as not supported.
    proxy.clear()
    with pytest.raises(UserFacingError) as raised:
        preview_lifecycle_policy(service, FIRST, LIFECYCLE)
    assert raised.value.problem.title == "Preview not supported"
    with pytest.raises(Exception) as raw:
        service.ecr.start_lifecycle_policy_preview(
            repositoryName=FIRST, lifecyclePolicyText=LIFECYCLE
        )
    assert explain_error(raw.value).title == "Not supported here"
    assert "does not implement StartLifecyclePolicyPreview" in explain_error(raw.value).detail


CUT_CALLS = ["DescribeRepositories", "BatchGetImage", "GetCallerIdentity"]


@pytest.mark.parametrize("operation", CUT_CALLS)
def test_an_answer_cut_mid_body_is_never_read_as_an_empty_one(
    proxy: FaultProxy, ecr_client: Any, operation: str
) -> None:
    # Half the announced body, then the line goes. botocore 1.44 stopped refusing a
    # short body: unchecked, half a JSON (or XML) answer parses as an empty result,
    # "no repositories", which the screen would then show as the truth.
    service = EcrService(replace(through(proxy), sts_endpoint_url=proxy.url))
    proxy.inject("cut", operation)
    calls = {
        "DescribeRepositories": lambda: service.ecr.describe_repositories(),
        "BatchGetImage": lambda: service.ecr.batch_get_image(
            repositoryName=FIRST, imageIds=[{"imageTag": "latest"}]
        ),
        "GetCallerIdentity": lambda: service._client("sts").get_caller_identity(),
    }
    with pytest.raises(ConnectionCut) as failed:
        calls[operation]()
    assert [r.fault for r in proxy.requests(operation)] == ["cut"]
    problem = explain_error(failed.value, "https://ecr.example")
    assert problem.title == "Connection lost"
    assert f"https://ecr.example broke in the middle of an answer to {operation}" in (
        problem.detail
    )
    # A listing asks for the page again, and says how often it was cut.
    if operation == "DescribeRepositories":
        with pytest.raises(ConnectionCut) as listed:
            list(service.repository_pages())
        assert "3 times in a row" in explain_error(listed.value).detail


# -- Docker ----------------------------------------------------------------------------


@pytest.mark.docker
async def test_docker_status_follows_a_daemon_that_died(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.docker_stack import StackError, ecr_docker_stack

    with ExitStack() as running:
        try:
            stack = running.enter_context(
                ecr_docker_stack("777788889999", {"apps/faults": "MUTABLE"})
            )
        except StackError as error:
            pytest.fail(f"the docker test stack did not start: {error}", pytrace=False)
        monkeypatch.setenv("DOCKER_HOST", stack.daemon_url)
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
        settings = ConnectionSettings(
            endpoint_url=stack.endpoint_url, region="us-east-1", demo=True
        )
        app = EcrApp(settings)
        async with app.run_test(size=(120, 36)) as pilot:
            docker_status = app.query_one(StatusBar)
            await wait_until(pilot, lambda: "checking" not in str(docker_status.render()))
            await pilot.press("L")
            await wait_until(pilot, lambda: "logged in," in str(docker_status.render()))

            stack.daemon.close()  # dockerd stops; its socket goes with it
            app.clear_notifications()
            await pilot.press("L")

            await wait_until(pilot, lambda: any("Docker unavailable" in n for n in notices(app)))
            await wait_until(pilot, lambda: "logged in" not in str(docker_status.render()))
            assert str(docker_status.render()).rstrip().endswith("docker: unavailable")
            # The reason, which the line has no room for, is on the help screen.
            assert docker_status.docker_text.startswith(
                "docker: unavailable (Docker is not running"
            )
            # A Docker key now says so at once, without claiming a login.
            app.clear_notifications()
            await pilot.press("L")
            assert any(n.startswith("Docker unavailable: ") for n in notices(app))
