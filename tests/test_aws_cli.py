"""The AWS CLI an SSO login needs: the one installed here, as it says its version."""

from __future__ import annotations

import shutil

import pytest

from ecr_tui.core.aws_cli import AwsCli, find_aws_cli, sso_login_problem

COMMAND = "aws sso login --profile sso-dev"


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_installed_cli_is_found_with_its_version() -> None:
    cli = find_aws_cli()
    assert cli is not None and cli.path == shutil.which("aws")
    assert cli.version is not None and cli.version.startswith("aws-cli/")
    problem = sso_login_problem(cli, COMMAND)
    if cli.major == 1:  # (awscli from PyPI: `aws sso` has no `login`)
        assert problem is not None
        assert f"is {cli.version}: version 1 has no `sso login`" in problem
        assert "Install AWS CLI v2" in problem and f"run `{COMMAND}` where it is" in problem
    else:
        assert problem is None


def test_no_cli_or_an_unknown_one() -> None:
    missing = sso_login_problem(None, COMMAND)
    assert missing is not None and missing.startswith("The AWS CLI (aws) is not installed here")
    # A CLI that did not say its version is tried: its own output says what went wrong.
    assert AwsCli("/opt/aws", None).major is None
    assert sso_login_problem(AwsCli("/opt/aws", None), COMMAND) is None
    assert AwsCli("/usr/local/bin/aws", "aws-cli/2.15.0").major == 2
    assert sso_login_problem(AwsCli("/usr/local/bin/aws", "aws-cli/2.15.0"), COMMAND) is None


def test_no_cli_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_aws_cli() is None
