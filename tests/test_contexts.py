"""Profiles and regions as botocore sees them, from temporary AWS config files."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from ecr_tui.core.contexts import (
    CredentialKind,
    find_profile,
    list_profiles,
    partition_of,
    regions_for,
    sso_login_needed,
    sso_token_expiry,
)

CONFIG = """\
[default]
region = us-east-1

[profile local]
region = eu-west-1
services = local-ecr

[services local-ecr]
ecr =
  endpoint_url = http://127.0.0.1:4566

[profile everywhere]
endpoint_url = http://127.0.0.1:9999
aws_access_key_id = E
aws_secret_access_key = E

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-central-1

[profile legacy-sso]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Developer

[profile admin]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = default
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile ci]
role_arn = arn:aws:iam::222222222222:role/ci
source_profile = default

[profile china]
region = cn-north-1
credential_process = /usr/local/bin/creds

[profile gov]
region = us-gov-west-1
"""

CREDENTIALS = """\
[default]
aws_access_key_id = AKIDEFAULT
aws_secret_access_key = secret

[keys-only]
aws_access_key_id = AKIKEYS
aws_secret_access_key = secret
"""


@pytest.fixture()
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config").write_text(CONFIG)
    (tmp_path / "credentials").write_text(CREDENTIALS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_profiles_are_the_ones_boto3_accepts(aws_files: Path) -> None:
    names = [profile.name for profile in list_profiles()]
    assert names == sorted(boto3.Session().available_profiles)
    # The credentials file's own profiles are there too.
    assert "keys-only" in names and "default" in names


def test_each_profile_says_how_it_gets_credentials(aws_files: Path) -> None:
    kinds = {profile.name: profile.kind for profile in list_profiles()}
    assert kinds == {
        "admin": CredentialKind.ASSUME_ROLE,
        "china": CredentialKind.PROCESS,
        "ci": CredentialKind.ASSUME_ROLE,
        "default": CredentialKind.STATIC,  # region in config, keys in credentials
        "dev": CredentialKind.SSO,
        "everywhere": CredentialKind.STATIC,
        "gov": CredentialKind.NONE,
        "keys-only": CredentialKind.STATIC,
        "legacy-sso": CredentialKind.SSO,
        "local": CredentialKind.NONE,
    }
    admin = find_profile("admin")
    assert admin is not None and admin.needs_mfa and admin.source_profile == "default"
    ci = find_profile("ci")
    assert ci is not None and not ci.needs_mfa
    dev = find_profile("dev")
    assert dev is not None and dev.sso_session == "corp"
    assert dev.sso_start_url == "https://corp.awsapps.com/start"
    assert find_profile("nobody") is None


def test_endpoint_url_from_the_profile_or_its_services_section(aws_files: Path) -> None:
    local, everywhere = find_profile("local"), find_profile("everywhere")
    assert local is not None and local.endpoint_url == "http://127.0.0.1:4566"
    assert everywhere is not None and everywhere.endpoint_url == "http://127.0.0.1:9999"
    # botocore itself sends this profile's ECR calls there.
    client = boto3.Session(profile_name="local").client("ecr")
    assert client.meta.endpoint_url == "http://127.0.0.1:4566"


def test_regions_are_the_profiles_partitions(aws_files: Path) -> None:
    china, gov, default = find_profile("china"), find_profile("gov"), find_profile("default")
    assert china is not None and china.partition == "aws-cn"
    assert gov is not None and gov.partition == "aws-us-gov"
    assert default is not None and default.partition == "aws"
    assert regions_for("cn-north-1") == ("cn-north-1", "cn-northwest-1")
    assert regions_for("us-gov-west-1") == ("us-gov-east-1", "us-gov-west-1")
    commercial = regions_for("us-east-1")
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(commercial)
    assert not any(region.startswith(("cn-", "us-gov-")) for region in commercial)
    # No region, or one botocore does not know yet: the commercial partition's pattern.
    assert partition_of(None) == "aws" and partition_of("eu-south-9") == "aws"
    assert partition_of("cn-south-7") == "aws-cn"


def _write_token(home: Path, key: str, expires: datetime) -> None:
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(key.encode()).hexdigest() + ".json"
    stamp = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    (cache / name).write_text(json.dumps({"accessToken": "t", "expiresAt": stamp}))


def test_sso_login_needed_when_the_cached_token_is_missing_or_expired(aws_files: Path) -> None:
    dev, legacy = find_profile("dev"), find_profile("legacy-sso")
    assert dev is not None and legacy is not None
    assert sso_login_needed(dev) and sso_token_expiry(dev) is None  # no token at all
    now = datetime.now(UTC).replace(microsecond=0)
    _write_token(aws_files, "corp", now - timedelta(hours=1))
    assert sso_token_expiry(dev) == now - timedelta(hours=1)
    assert sso_login_needed(dev)
    _write_token(aws_files, "corp", now + timedelta(hours=8))
    assert not sso_login_needed(dev)
    # A legacy profile's token is named by its start URL.
    _write_token(aws_files, "https://old.awsapps.com/start", now + timedelta(hours=1))
    assert not sso_login_needed(legacy)
    default = find_profile("default")
    assert default is not None and not sso_login_needed(default)
