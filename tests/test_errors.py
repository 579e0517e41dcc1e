"""Failures of AWS calls read as what happened and what to do next."""

from __future__ import annotations

import boto3
import pytest
from botocore import exceptions as boto_errors
from botocore.config import Config

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import explain_error


def client_error(code: str, message: str, operation: str = "DescribeImages") -> Exception:
    """A ClientError shaped exactly as botocore raises it from an HTTP error body."""
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    return boto_errors.ClientError(response, operation)  # type: ignore[arg-type]


def test_no_credentials_says_how_to_get_some(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    service = EcrService(ConnectionSettings(region="us-east-1"))
    with pytest.raises(boto_errors.NoCredentialsError) as raised:
        next(service.repository_pages())
    problem = explain_error(raised.value)
    assert problem.title == "No AWS credentials"
    assert "aws sso login" in problem.detail and "--demo" in problem.detail


def test_unknown_profile_is_named() -> None:
    with pytest.raises(boto_errors.ProfileNotFound) as raised:
        EcrService(ConnectionSettings(profile="no-such-profile-here")).ecr  # noqa: B018
    problem = explain_error(raised.value)
    assert problem.title == "Unknown profile" and "no-such-profile-here" in problem.detail


def test_expired_sso_session_asks_for_sso_login() -> None:
    problem = explain_error(boto_errors.UnauthorizedSSOTokenError())
    assert problem.title == "SSO session expired"
    assert "aws sso login" in problem.detail


def test_unreachable_endpoint_names_it() -> None:
    client = boto3.client(
        "ecr",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(boto_errors.EndpointConnectionError) as raised:
        client.describe_repositories()
    problem = explain_error(raised.value, endpoint="http://127.0.0.1:9")
    assert problem.title == "Endpoint unreachable"
    assert "http://127.0.0.1:9" in problem.detail


def test_access_denied_names_action_resource_and_the_statement() -> None:
    message = (
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
        "ecr:DescribeImages on resource: "
        "arn:aws:ecr:us-east-1:123456789012:repository/payments/api "
        "because no identity-based policy allows the ecr:DescribeImages action"
    )
    problem = explain_error(client_error("AccessDeniedException", message))
    assert problem.title == "Access denied"
    assert "arn:aws:iam::123456789012:user/dev" in problem.detail
    assert "ecr:DescribeImages" in problem.detail
    assert "repository/payments/api" in problem.detail
    assert '"Effect": "Allow"' in problem.detail


def test_throttling_after_retries_says_wait() -> None:
    problem = explain_error(client_error("ThrottlingException", "Rate exceeded"))
    assert problem.title == "ECR is throttling requests"
    assert "wait" in problem.detail


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("ExpiredTokenException", "Credentials expired"),
        ("RepositoryNotFoundException", "Repository not found"),
        ("ScanNotFoundException", "Not scanned"),
        ("LimitExceededException", "Scan limit reached"),
        ("ImageTagAlreadyExistsException", "Tag already exists"),
        ("ImageAlreadyExistsException", "Tag already exists"),
    ],
)
def test_known_codes_have_advice(code: str, title: str) -> None:
    problem = explain_error(client_error(code, "raw message"))
    assert problem.title == title
    assert "raw message" not in problem.detail


def test_anything_else_is_one_line_without_a_traceback() -> None:
    problem = explain_error(RuntimeError("boom"))
    assert str(problem) == "Unexpected error: RuntimeError: boom"
