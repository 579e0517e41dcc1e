"""The reference call: one 1,000-image DescribeImages page timed directly with boto3
(the first image row's target is that time plus 100 ms)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from .common import PAGE_SIZE, REGION, BenchmarkError


def probe(endpoint: str, repository: str, repetitions: int) -> dict[str, Any]:
    """Check the endpoint answers; time one 1,000-image DescribeImages page (median)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "ecr",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="benchmark",
        aws_secret_access_key="benchmark",
        config=Config(retries={"max_attempts": 1}, read_timeout=60),
    )
    try:
        client.describe_repositories(maxResults=1)
    except Exception as error:
        raise BenchmarkError(f"the endpoint {endpoint} does not answer: {error}") from error
    times = []
    items = 0
    digests: list[str] = []
    for _ in range(repetitions):
        started = time.monotonic()
        page = client.describe_images(repositoryName=repository, maxResults=PAGE_SIZE)
        times.append(time.monotonic() - started)
        items = len(page["imageDetails"])
        digests = [d["imageDigest"].removeprefix("sha256:")[:12] for d in page["imageDetails"]]
    return {
        "first_page_s": round(statistics.median(times), 3),
        "first_page_runs_s": [round(t, 3) for t in times],
        "first_page_items": items,
        "first_page_short_digests": digests,
    }
