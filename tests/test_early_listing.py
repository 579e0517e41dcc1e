"""The demo endpoint lists its repositories before moto is imported: the same answer moto gives.

`ecr-tui --demo` starts faster when the endpoint listens and lists the
repositories first, and loads moto meanwhile (`ecr_tui.demo.endpoint_server`).
What it says then must be what the endpoint says once moto answers, and every
other request must wait for moto rather than be answered from nothing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ecr_tui.demo.data.dataset import build_dataset
from ecr_tui.demo.data.workloads import DEMO_REPOSITORIES
from ecr_tui.demo.early_listing import EarlyListing
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.demo.endpoint_server import EndpointServer

ACCOUNT_ID = "555566667777"
REGION = "us-east-1"
REGISTRY_HOST = "127.0.0.1:5999"


def _client(url: str) -> Any:
    return boto3.client(
        "ecr",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="early",
        aws_secret_access_key="early",
        config=Config(retries={"max_attempts": 1}),
    )


def _listings(client: Any, names: list[str]) -> list[dict[str, Any]]:
    """DescribeRepositories as the app and a user ask it: whole, in pages, by name."""
    first = client.describe_repositories(maxResults=5)
    answers = [
        client.describe_repositories(),
        client.describe_repositories(maxResults=1000),
        first,
        client.describe_repositories(maxResults=5, nextToken=first["nextToken"]),
        client.describe_repositories(repositoryNames=names),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata")
    return answers


def _held(call: Any) -> tuple[threading.Thread, list[Any]]:
    """`call` on a thread; what it answered or raised, once it has."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except ClientError as error:
            outcome.append(error.response["Error"]["Code"])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_the_early_listing_is_the_listing_moto_gives_and_nothing_else_is_answered_early() -> None:
    dataset = build_dataset(repositories=DEMO_REPOSITORIES, big_repository_images=300)
    # The dataset has what the listing must get right: KMS keys, exclusion filters.
    assert any(spec.kms_key_id for spec in dataset.repositories)
    assert any(spec.exclusions for spec in dataset.repositories)
    front = EndpointServer("127.0.0.1", 0, EarlyListing(dataset.repositories, ACCOUNT_ID, REGION))
    front.attach_registry(REGISTRY_HOST, "password")
    client = _client(front.url)
    names = [dataset.repositories[3].name, dataset.repositories[0].name]

    early = _listings(client, names)
    assert len(early[0]["repositories"]) == len(dataset.repositories)
    assert all(r["repositoryUri"].startswith(REGISTRY_HOST + "/") for r in early[0]["repositories"])
    # Not answered before moto is there: another operation, an unknown name, another region.
    images, images_answer = _held(
        lambda: client.describe_images(repositoryName=dataset.repositories[0].name)
    )
    unknown, unknown_answer = _held(
        lambda: client.describe_repositories(repositoryNames=["no-such-repository"])
    )
    other_region = boto3.client(
        "ecr",
        endpoint_url=front.url,
        region_name="eu-west-1",
        aws_access_key_id="early",
        aws_secret_access_key="early",
    )
    region_held, region_answer = _held(lambda: other_region.describe_repositories())
    for thread in (images, unknown, region_held):
        thread.join(0.4)
        assert thread.is_alive()
    assert not (images_answer or unknown_answer or region_answer)

    endpoint = LocalEcr(account_id=ACCOUNT_ID, region=REGION)
    try:
        assert endpoint.start(front) == front.url
        endpoint.seed_repositories(dataset)
        endpoint.take_over()
        endpoint.seed_images(dataset)
        for thread in (images, unknown, region_held):
            thread.join(10)
        assert images_answer and images_answer[0]["imageDetails"]
        assert unknown_answer == ["RepositoryNotFoundException"]
        assert region_answer and region_answer[0]["repositories"] == []
        # moto's answers, now, are the early ones, to the field.
        assert _listings(client, names) == early
    finally:
        endpoint.stop()


def test_the_endpoint_listens_and_lists_without_importing_moto() -> None:
    """What `serve` runs before READY must not import moto (that is the half second saved)."""
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ecr_tui.demo.serve, ecr_tui.demo.early_listing, "
            "ecr_tui.demo.endpoint_server, ecr_tui.demo.data.dataset; "
            "heavy = ('moto', 'boto3', 'flask'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "[]"
