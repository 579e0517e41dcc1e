"""Shared fixtures: a real local ECR endpoint (moto behind our real-ECR layer) over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.data.dataset import Dataset, build_dataset
from ecr_tui.demo.endpoint import LocalEcr

# Every timestamp in the seeded registry is relative to this instant, and the
# app's clock is pinned to it in snapshot tests, so ages read the same each run.
FIXED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# Enough images in platform/build-cache for three pages of 1,000.
BIG_REPOSITORY_IMAGES = 2500


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The registry content every app test browses: the demo's repositories."""
    return build_dataset(big_repository_images=BIG_REPOSITORY_IMAGES, now=FIXED_NOW.timestamp())


@pytest.fixture(scope="session")
def local_ecr(dataset: Dataset) -> Iterator[LocalEcr]:
    """One seeded endpoint for the whole session, served over real HTTP."""
    server = LocalEcr()
    server.start()
    server.seed(dataset)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ecr_settings(local_ecr: LocalEcr) -> ConnectionSettings:
    """How the app reaches the endpoint: the production code path, another URL."""
    return ConnectionSettings(endpoint_url=local_ecr.url, region="us-east-1", demo=True)


def plain_ecr_client(endpoint: LocalEcr) -> Any:
    """A plain boto3 client, to check what the app shows against the API."""
    return boto3.client(
        "ecr",
        endpoint_url=endpoint.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture()
def ecr_client(local_ecr: LocalEcr) -> Any:
    """The plain client for the session's endpoint."""
    return plain_ecr_client(local_ecr)
