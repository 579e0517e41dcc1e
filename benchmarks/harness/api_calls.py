"""The app's (or the CLI's) API calls against the fewest that fetch the same data."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

from .common import PAGE_SIZE

_LISTINGS = {"DescribeRepositories", "DescribeImages", "ListImages", "DescribeImageScanFindings"}


def call_summary(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Calls by operation, and the fewest calls that fetch the same data at 1,000 a page.

    A listing (no `repositoryNames`/`imageIds`) needs ceil(items / 1,000) pages, at
    least one, once per repository (or image, for findings); any other call is
    needed once per distinct operation and key.
    """
    by_op: Counter[str] = Counter(call["op"] for call in calls)
    listings: dict[tuple[str, str], list[int]] = defaultdict(list)
    singles: set[tuple[str, str, str]] = set()
    page_sizes: Counter[str] = Counter()
    for call in calls:
        op = call["op"]
        listing = op in _LISTINGS and not (op != "DescribeImageScanFindings" and call["key"])
        if not listing:
            singles.add((op, call["repo"], call["key"]))
            continue
        page_sizes[str(call["max"])] += 1
        scope = (op, f"{call['repo']}|{call['key']}")
        if not call["token_in"] or not listings[scope]:
            listings[scope].append(0)
        listings[scope][-1] += int(call["items"])
    minimum = len(singles) + sum(
        max(math.ceil(max(totals) / PAGE_SIZE), 1) for totals in listings.values()
    )
    return {
        "total": len(calls),
        "minimum": minimum,
        "ratio": round(len(calls) / minimum, 3) if minimum else None,
        "by_operation": dict(sorted(by_op.items())),
        "page_sizes_requested": dict(page_sizes),
        "listings_started": sum(len(totals) for totals in listings.values()),
        "bytes": sum(int(call["bytes"]) for call in calls),
        "errors": sum(1 for call in calls if int(call["status"]) >= 400),
    }
