"""`ecr-tui export findings --demo` says the truth about where its data comes from.

It reads the region and profile given (the demo's other contexts, as the app
does), the delegated administrator's member accounts as the app's view does,
names the registry and region in what it writes, tells a scope that names no
repository from a clean result, and ends quietly when its reader closes stdout.
Each export runs as the real command in a child process, with its own demo
endpoint; its output is read back.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecr_tui.core.ecr import EcrService
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.demo.contexts import PROD_ACCOUNT_ID, demo_settings
from ecr_tui.demo.launcher import DEFAULT_ACCOUNT_ID, DemoLaunch, spawn_demo_endpoint
from ecr_tui.export_cli import EXIT_FOUND, EXIT_NO_REPOSITORY, EXIT_PIPE_CLOSED
from ecr_tui.ui.fleet.session import FleetSession

CURL = "CVE-2023-38545"


def export_demo(*args: str, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """`ecr-tui export findings --demo ARGS...` as a script runs it."""
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(name, None)
    command = [sys.executable, "-m", "ecr_tui.cli", "export", "findings", "--demo", *args]
    return subprocess.run(
        command, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, timeout=300
    )


def images(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(account, repository, digest) of every row of a JSON export."""
    return {(f["account"], f["repository"], f["image_digest"]) for f in document["findings"]}


def test_the_region_given_is_the_region_read(tmp_path: Path) -> None:
    """dev's ap-southeast-2 has no apps/web-frontend; eu-west-1's web/storefront is its own."""
    missing = export_demo(
        "--region", "ap-southeast-2", "--repository", "apps/web-frontend",
        "--format", "csv", "-o", str(tmp_path / "ap.csv"),
    )  # fmt: skip
    assert missing.returncode == EXIT_NO_REPOSITORY, missing.stderr
    assert not (tmp_path / "ap.csv").exists()
    assert (
        f"no repository apps/web-frontend in account {DEFAULT_ACCOUNT_ID}, region ap-southeast-2"
        in missing.stderr
    )
    assert "aws ecr describe-repositories --region ap-southeast-2" in missing.stderr
    assert "press r" not in missing.stderr

    base = ("--repository", "web/storefront", "--min-severity", "critical", "--format", "json")
    europe = export_demo("--region", "eu-west-1", *base)
    home = export_demo(*base)
    assert europe.returncode == home.returncode == EXIT_FOUND, europe.stderr + home.stderr
    europe_doc, home_doc = json.loads(europe.stdout), json.loads(home.stdout)
    assert (europe_doc["account"], europe_doc["region"]) == (DEFAULT_ACCOUNT_ID, "eu-west-1")
    assert home_doc["region"] == "us-east-1"
    assert {f["region"] for f in europe_doc["findings"]} == {"eu-west-1"}
    assert {f["region"] for f in home_doc["findings"]} == {"us-east-1"}
    # Another region's registry: its own images, none of us-east-1's.
    europe_digests = {f["image_digest"] for f in europe_doc["findings"]}
    assert europe_digests and not europe_digests & {f["image_digest"] for f in home_doc["findings"]}
    assert f"registry {DEFAULT_ACCOUNT_ID} in eu-west-1" in europe.stderr


def test_the_profile_given_is_the_account_read() -> None:
    """prod is a role in another account: the export reads that account's registry."""
    done = export_demo(
        "--profile", "prod", "--repository", "ml/inference-server", "--newest", "1",
        "--source", "scan-findings", "--format", "json",
    )  # fmt: skip
    assert done.returncode in (0, EXIT_FOUND), done.stderr
    document = json.loads(done.stdout)
    assert document["account"] == PROD_ACCOUNT_ID
    assert {f["account"] for f in document["findings"]} <= {PROD_ACCOUNT_ID}
    refused = export_demo("--profile", "mine", "--format", "csv")
    assert refused.returncode == 2 and "one of dev, prod" in refused.stderr


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoLaunch]:
    """The demo as `ecr-tui --demo` starts it (the same data the export's own reads)."""
    launch = spawn_demo_endpoint(registry=False, extra_contexts=True)
    launch.wait_ready(timeout=120)
    yield launch
    launch.close()


def test_the_export_and_the_view_give_the_same_answer(
    demo: DemoLaunch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's `:cve` (its view's session, connected as the app connects to the demo) and
    the export list the same images, the member account's among them."""
    done = export_demo("--repository", "ml/inference-server", "--cve", CURL, "--format", "json")
    assert done.returncode == EXIT_FOUND, done.stderr
    exported = images(json.loads(done.stdout))
    assert {account for account, _, _ in exported} == {DEFAULT_ACCOUNT_ID, PROD_ACCOUNT_ID}

    monkeypatch.setenv("AWS_CONFIG_FILE", str(demo.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(demo.aws_credentials_path))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings = demo_settings().at_demo_endpoint(demo.wait_ready().url)
    session = FleetSession(EcrService(settings), Scope(repository="ml/inference-server", cve=CURL))
    session.run()
    viewed = set()
    for row in session.shown.affected_images(CURL):
        account, _, name = row.image.repository.rpartition(":")
        viewed.add((account or DEFAULT_ACCOUNT_ID, name, row.image.digest))
    assert viewed == exported


def test_a_pattern_that_matches_nothing_is_not_a_clean_result(tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    done = export_demo("--repositories", "Web/*", "--format", "csv", "-o", str(out))
    assert done.returncode == EXIT_NO_REPOSITORY
    assert "no repository matches Web/* (ECR names are lowercase)" in done.stderr
    assert not out.exists() and "0 findings" not in done.stderr
    lowercase = export_demo("--repositories", "web/*", "--newest", "1", "--format", "csv")
    assert lowercase.returncode == EXIT_FOUND, lowercase.stderr
    rows = list(csv.DictReader(lowercase.stdout.splitlines()))
    assert rows and {r["repository"].split("/")[0] for r in rows} == {"web"}


def test_a_missing_repository_says_what_to_do_on_a_command_line() -> None:
    done = export_demo("--repository", "nosuch", "--format", "csv")
    assert done.returncode == EXIT_NO_REPOSITORY and done.stdout == ""
    assert f"no repository nosuch in account {DEFAULT_ACCOUNT_ID}, region us-east-1" in done.stderr
    assert "aws ecr describe-repositories" in done.stderr and "check --region" in done.stderr
    assert "press r" not in done.stderr and "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly_with_sigpipes_status() -> None:
    """`export ... | head -c 10`: the reader has what it wanted; no error, never 1."""
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    done = export_demo(
        "--repository", "payments/api", "--newest", "2", "--format", "sarif", stdout=reader.stdin
    )
    assert reader.stdin is not None and reader.stdout is not None
    reader.stdin.close()
    head = reader.stdout.read()
    reader.wait(timeout=30)
    assert head == b'{\n  "$sche'
    assert done.returncode == EXIT_PIPE_CLOSED, done.stderr
    assert "None" not in done.stderr and "cannot write" not in done.stderr


def test_help_documents_the_exit_statuses() -> None:
    done = export_demo("--help")
    assert done.returncode == 0
    assert "4  no repository is in scope" in done.stdout
    assert "141  stdout was closed by its reader" in done.stdout


def test_no_app_key_survives_in_the_command_lines_words() -> None:
    """Every next step the app words as "press r" reads as a command line's."""
    from botocore.exceptions import ClientError

    from ecr_tui.core.errors import _CODE_ADVICE
    from ecr_tui.export_words import command_line_problem

    for code in _CODE_ADVICE:
        error = ClientError({"Error": {"Code": code, "Message": "m"}}, "DescribeImages")
        words = command_line_problem(error)
        assert "press r" not in words and " pane" not in words, words
    deleted = ClientError({"Error": {"Code": "RepositoryNotFoundException"}}, "DescribeImages")
    assert command_line_problem(deleted).endswith(
        "it may have been deleted: list them with `aws ecr describe-repositories`."
    )
