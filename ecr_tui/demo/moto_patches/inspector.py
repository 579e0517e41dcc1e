"""Amazon Inspector's ListFindings, ListFindingAggregations and ListCoverage for the demo.

moto's inspector2 keeps findings of its own, unrelated to ECR's scans; these
three answer from the demo's registries instead (see `inspector_data`), paged
and filtered as Inspector does: within one filter field the EQUALS and PREFIX
conditions are alternatives and NOT_EQUALS ones all apply; fields all apply.
The demo's home account may be Inspector's delegated administrator for member
accounts (`LocalEcr.administer_inspector`; `ecr-tui --demo` makes it that of
`prod`): it then sees their findings, each with its `awsAccountId`. Any other
caller (an assumed reader role) is denied as AWS denies a role without
inspector2 permissions.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Any

from moto.backends import get_backend

from ecr_tui.demo.moto_patches.inspector_data import (
    Wanted,
    image_counts,
    registry_coverage,
    registry_findings,
)
from ecr_tui.demo.moto_patches.protocol import Json
from ecr_tui.demo.moto_patches.state import EcrState

# Inspector's limits (botocore's model): ListFindings and aggregations 100, coverage 200.
PAGE_LIMITS = {"ListFindings": 100, "ListFindingAggregations": 100, "ListCoverage": 200}
_SEVERITY_ORDER = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED")
_SEVERITY_KEYS = {s: s.lower() for s in _SEVERITY_ORDER}


class InspectorError(Exception):
    """An error as Inspector answers it: HTTP status, code, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _finding_fields(finding: Json) -> dict[str, list[Any]]:
    """The values each ListFindings filter field compares a finding by."""
    resource = finding["resources"][0]
    image = resource.get("details", {}).get("awsEcrContainerImage", {})
    details = finding.get("packageVulnerabilityDetails", {})
    return {
        "awsAccountId": [finding["awsAccountId"]],
        "findingArn": [finding["findingArn"]],
        "findingStatus": [finding["status"]],
        "findingType": [finding["type"]],
        "severity": [finding["severity"]],
        "fixAvailable": [finding.get("fixAvailable", "")],
        "exploitAvailable": [finding.get("exploitAvailable", "")],
        "title": [finding.get("title", "")],
        "vulnerabilityId": [details.get("vulnerabilityId", "")],
        "vulnerabilitySource": [details.get("source", "")],
        "vendorSeverity": [details.get("vendorSeverity", "")],
        "resourceType": [resource["type"]],
        "resourceId": [resource["id"]],
        "ecrImageRepositoryName": [image.get("repositoryName", "")],
        "ecrImageHash": [image.get("imageHash", "")],
        "ecrImageRegistry": [image.get("registry", "")],
        "ecrImageArchitecture": [image.get("architecture", "")],
        "ecrImageTags": list(image.get("imageTags") or []),
        # Dates and numbers.
        "ecrImagePushedAt": [image.get("pushedAt")],
        "firstObservedAt": [finding.get("firstObservedAt")],
        "lastObservedAt": [finding.get("lastObservedAt")],
        "updatedAt": [finding.get("updatedAt")],
        "inspectorScore": [finding.get("inspectorScore")],
        "epssScore": [finding.get("epss", {}).get("score")],
    }


def _coverage_fields(record: Json) -> dict[str, list[Any]]:
    metadata = record.get("resourceMetadata", {})
    return {
        "accountId": [record["accountId"]],
        "resourceId": [record["resourceId"]],
        "resourceType": [record["resourceType"]],
        "scanType": [record["scanType"]],
        "scanStatusCode": [record["scanStatus"]["statusCode"]],
        "scanStatusReason": [record["scanStatus"]["reason"]],
        "ecrRepositoryName": [metadata.get("ecrRepository", {}).get("name", "")],
        "ecrImageTags": list(metadata.get("ecrImage", {}).get("tags") or []),
        "imagePulledAt": [metadata.get("ecrImage", {}).get("imagePulledAt")],
        "lastScannedAt": [record.get("lastScannedAt")],
    }


def _string_condition(condition: Json, values: list[Any]) -> tuple[str, bool]:
    comparison, wanted = condition.get("comparison", ""), condition.get("value", "")
    if comparison not in ("EQUALS", "PREFIX", "NOT_EQUALS"):
        raise InspectorError(400, "ValidationException", f"Invalid comparison: {comparison}")
    texts = [str(v) for v in values if v is not None]
    if comparison == "PREFIX":
        return comparison, any(t.startswith(wanted) for t in texts)
    return comparison, any(t == wanted for t in texts)


def _keeps(criteria: Json, fields: dict[str, list[Any]]) -> bool:
    """Whether a record passes every field of Inspector's filter criteria."""
    if not criteria:
        return True
    for name, conditions in criteria.items():
        values = fields.get(name, [])
        if not isinstance(conditions, list):
            raise InspectorError(400, "ValidationException", f"Invalid filter: {name}")
        alternatives: list[bool] = []
        for condition in conditions:
            if "startInclusive" in condition or "endInclusive" in condition:
                low = condition.get("startInclusive", condition.get("lowerInclusive"))
                high = condition.get("endInclusive", condition.get("upperInclusive"))
                alternatives.append(any(_within(v, low, high) for v in values))
            elif "lowerInclusive" in condition or "upperInclusive" in condition:
                low, high = condition.get("lowerInclusive"), condition.get("upperInclusive")
                alternatives.append(any(_within(v, low, high) for v in values))
            else:
                comparison, matched = _string_condition(condition, values)
                if comparison == "NOT_EQUALS":
                    if matched:
                        return False
                else:
                    alternatives.append(matched)
        if alternatives and not any(alternatives):
            return False
    return True


def _filter(criteria: Json) -> Callable[[dict[str, list[Any]]], bool]:
    """`_keeps` for one query's criteria, its fields of EQUALS conditions only made sets
    once (a batch of 10 image hashes is 10 conditions each finding would be compared by)."""
    named: dict[str, frozenset[str]] = {}
    rest: Json = {}
    for name, conditions in criteria.items():
        if (
            isinstance(conditions, list)
            and conditions
            and all(
                isinstance(c, dict)
                and set(c) == {"comparison", "value"}
                and c["comparison"] == "EQUALS"
                for c in conditions
            )
        ):
            named[name] = frozenset(str(c["value"]) for c in conditions)
        else:
            rest[name] = conditions

    def keeps(fields: dict[str, list[Any]]) -> bool:
        for name, wanted in named.items():
            if not any(str(v) in wanted for v in fields.get(name, ()) if v is not None):
                return False
        return _keeps(rest, fields)

    return keeps


def _within(value: Any, low: Any, high: Any) -> bool:
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _page(operation: str, params: Json, items: list[Json], query: Json) -> tuple[list[Json], Json]:
    """One page of `items`, and the nextToken for the next (Inspector's are opaque)."""
    limit = params.get("maxResults", PAGE_LIMITS[operation])
    if not isinstance(limit, int) or not 1 <= limit <= PAGE_LIMITS[operation]:
        raise InspectorError(
            400, "ValidationException", f"maxResults must be between 1 and {PAGE_LIMITS[operation]}"
        )
    start = 0
    if params.get("nextToken"):
        try:
            state = json.loads(base64.urlsafe_b64decode(params["nextToken"]))
            if state["q"] != query:
                raise ValueError("token of another query")
            start = int(state["o"])
        except (ValueError, KeyError, TypeError) as error:
            raise InspectorError(400, "ValidationException", "Invalid nextToken") from error
    extra: Json = {}
    if start + limit < len(items):
        token = json.dumps({"q": query, "o": start + limit}, sort_keys=True)
        extra["nextToken"] = base64.urlsafe_b64encode(token.encode()).decode()
    return items[start : start + limit], extra


def _backends(ecr: EcrState, region: str) -> Iterable[tuple[str, Any]]:
    """(account, ECR backend) of every account the caller sees in Inspector."""
    caller = ecr.account_id
    members = ecr.inspector_members if caller == ecr.home_account_id else ()
    for account in (caller, *members):
        yield account, get_backend("ecr")[account][region]


def _all_findings(
    ecr: EcrState, region: str, now: float, criteria: Json | None = None
) -> list[Json]:
    """The findings a query may keep: every one, or those of the resources it names."""
    found: list[Json] = []
    wanted = _wanted(criteria or {}, "ecrImageRepositoryName", "ecrImageHash")
    for _, backend in _backends(ecr, region):
        found.extend(registry_findings(backend, now, wanted))
    return found


def _named(criteria: Json, field: str) -> frozenset[str] | None:
    """The values a filter field names when it only names (EQUALS), else None (any)."""
    conditions = criteria.get(field)
    if not isinstance(conditions, list) or not conditions:
        return None
    if not all(isinstance(c, dict) and c.get("comparison") == "EQUALS" for c in conditions):
        return None
    return frozenset(str(c.get("value", "")) for c in conditions)


def _wanted(criteria: Json, repository_field: str, digest_field: str) -> Wanted:
    """The repositories and digests the criteria name (the filter itself still applies)."""
    repositories = _named(criteria, repository_field)
    digests = _named(criteria, digest_field) if digest_field else None
    resources = _named(criteria, "resourceId")
    if resources is not None:
        # arn:aws:ecr:REGION:ACCOUNT:repository/NAME[/sha256:...]
        parts = [r.split(":repository/", 1)[-1] for r in resources]
        names = frozenset(p.split("/sha256:")[0] for p in parts)
        repositories = names if repositories is None else repositories & names
        if all("/sha256:" in p for p in parts):
            hashes = frozenset("sha256:" + p.split("/sha256:")[1] for p in parts)
            digests = hashes if digests is None else digests & hashes
    return Wanted(repositories, digests)


def _denied(ecr: EcrState, action: str) -> None:
    if ecr.account_id != ecr.home_account_id:
        raise InspectorError(
            403,
            "AccessDeniedException",
            f"User: arn:aws:sts::{ecr.account_id}:assumed-role/ecr-demo-reader/ecr-tui-demo is "
            f"not authorized to perform: inspector2:{action} because no identity-based policy "
            f"allows the inspector2:{action} action",
        )


def list_findings(ecr: EcrState, region: str, params: Json, now: float) -> Json:
    _denied(ecr, "ListFindings")
    criteria = params.get("filterCriteria") or {}
    sort = params.get("sortCriteria") or {}
    query = {"f": criteria, "s": sort}
    snapshot = (ecr.account_id, region, json.dumps(query, sort_keys=True))
    found = _SNAPSHOTS.get(snapshot) if params.get("nextToken") else None
    if found is None:
        keeps = _filter(criteria)
        found = [f for f in _all_findings(ecr, region, now, criteria) if keeps(_fields(f))]
        found.sort(key=_sort_key(sort.get("field", "")), reverse=sort.get("sortOrder") == "DESC")
        # Later pages of the query read the list its first page was cut from.
        _remember(snapshot, found)
    page, extra = _page("ListFindings", params, found, query)
    return {"findings": page, **extra}


# The findings of the latest queries, by (account, region, query): what their next pages cut.
_SNAPSHOTS: dict[tuple[str, str, str], list[Json]] = {}
MAX_SNAPSHOTS = 32  # a batch of images' query each (whole-registry ones hold no copies)
# Each finding's filter fields, by finding ARN (a finding's facts never change here).
_FIELDS: dict[str, dict[str, list[Any]]] = {}


def _remember(snapshot: tuple[str, str, str], items: list[Json]) -> None:
    while len(_SNAPSHOTS) >= MAX_SNAPSHOTS:
        _SNAPSHOTS.pop(next(iter(_SNAPSHOTS)))
    _SNAPSHOTS[snapshot] = items


def _fields(finding: Json) -> dict[str, list[Any]]:
    fields = _FIELDS.get(finding["findingArn"])
    if fields is None:
        fields = _FIELDS[finding["findingArn"]] = _finding_fields(finding)
    return fields


def _sort_key(field: str) -> Callable[[Json], Any]:
    rank = {s: n for n, s in enumerate(reversed(_SEVERITY_ORDER))}
    by_field: dict[str, Callable[[Json], Any]] = {
        "SEVERITY": lambda f: rank.get(f["severity"], 0),
        "INSPECTOR_SCORE": lambda f: f.get("inspectorScore") or 0.0,
        "EPSS_SCORE": lambda f: f.get("epss", {}).get("score") or 0.0,
        "FIRST_OBSERVED_AT": lambda f: f["firstObservedAt"],
        "LAST_OBSERVED_AT": lambda f: f["lastObservedAt"],
        "VULNERABILITY_ID": lambda f: f["packageVulnerabilityDetails"]["vulnerabilityId"],
        "ECR_IMAGE_PUSHED_AT": lambda f: _image(f).get("pushedAt") or 0.0,
        "ECR_IMAGE_REPOSITORY_NAME": lambda f: _image(f).get("repositoryName", ""),
    }
    chosen = by_field.get(field)
    if chosen is None:  # Inspector's own order: stable, by finding
        return lambda f: f["findingArn"]
    return lambda f: (chosen(f), f["findingArn"])


def _image(finding: Json) -> Json:
    details: Json = finding["resources"][0].get("details", {})
    image: Json = details.get("awsEcrContainerImage", {})
    return image


def list_coverage(ecr: EcrState, region: str, params: Json, now: float) -> Json:
    _denied(ecr, "ListCoverage")
    criteria = params.get("filterCriteria") or {}
    snapshot = (ecr.account_id, region, "coverage " + json.dumps(criteria, sort_keys=True))
    records = _SNAPSHOTS.get(snapshot) if params.get("nextToken") else None
    if records is None:  # later pages of the query read the list its first page was cut from
        wanted = _wanted(criteria, "ecrRepositoryName", "")
        keeps = _filter(criteria)
        records = [
            r
            for account, backend in _backends(ecr, region)
            for r in registry_coverage(backend, account, now, wanted)
            if keeps(_coverage_fields(r))
        ]
        _remember(snapshot, records)
    page, extra = _page("ListCoverage", params, records, {"f": criteria})
    return {"coveredResources": page, **extra}


def list_finding_aggregations(ecr: EcrState, region: str, params: Json, now: float) -> Json:
    _denied(ecr, "ListFindingAggregations")
    kind = params.get("aggregationType", "")
    request = params.get("aggregationRequest") or {}
    accounts = params.get("accountIds")
    if (
        kind == "AWS_ECR_CONTAINER"
        and not accounts
        and not request.get("awsEcrContainerAggregation")
    ):
        # Every image's counts, from its scan (making 100,000 images' findings takes minutes);
        # later pages read the list the first was cut from.
        snapshot = (ecr.account_id, region, "images")
        counted = _SNAPSHOTS.get(snapshot) if params.get("nextToken") else None
        if counted is None:
            bodies = [
                body
                for account, backend in _backends(ecr, region)
                for body in image_counts(backend, account, now)
            ]
            bodies.sort(key=lambda body: body["severityCounts"]["all"], reverse=True)
            counted = [{"awsEcrContainerAggregation": body} for body in bodies]
            _remember(snapshot, counted)
        page, extra = _page("ListFindingAggregations", params, counted, {"k": kind, "r": request})
        return {"aggregationType": kind, "responses": page, **extra}
    found = [f for f in _all_findings(ecr, region, now) if f["status"] == "ACTIVE"]
    if accounts:
        found = [f for f in found if _keeps({"a": accounts}, {"a": [f["awsAccountId"]]})]
    responses = _aggregate(kind, request, found)
    page, extra = _page("ListFindingAggregations", params, responses, {"k": kind, "r": request})
    return {"aggregationType": kind, "responses": page, **extra}


def _aggregate(kind: str, request: Json, found: list[Json]) -> list[Json]:
    """The responses of one aggregation type; types about other resources have none here."""
    part = {
        "REPOSITORY": "repositoryAggregation",
        "AWS_ECR_CONTAINER": "awsEcrContainerAggregation",
        "PACKAGE": "packageAggregation",
        "FINDING_TYPE": "findingTypeAggregation",
    }.get(kind)
    if part is None:
        return []
    options = request.get(part) or {}
    groups: dict[tuple[str, ...], list[Json]] = {}
    for finding in found:
        for key in _group_keys(kind, options, finding):
            groups.setdefault(key, []).append(finding)
    responses = [_response(kind, key, members) for key, members in groups.items()]
    by = options.get("sortBy", "ALL")
    count_key = {"ALL": "all", "CRITICAL": "critical", "HIGH": "high"}.get(by)
    if count_key is not None:
        responses.sort(
            key=lambda r: r["_sort"][count_key], reverse=options.get("sortOrder", "DESC") == "DESC"
        )
    elif by == "AFFECTED_IMAGES":
        responses.sort(key=lambda r: r["_images"], reverse=options.get("sortOrder") != "ASC")
    return [{part: r["body"]} for r in responses]


def _group_keys(kind: str, options: Json, finding: Json) -> list[tuple[str, ...]]:
    image = _image(finding)
    account = finding["awsAccountId"]
    if kind == "REPOSITORY":
        if not _keeps({"r": options.get("repositories", [])}, {"r": [image["repositoryName"]]}):
            return []
        return [(account, image["repositoryName"])]
    if kind == "AWS_ECR_CONTAINER":
        fields = {
            "repositories": [image["repositoryName"]],
            "imageShas": [image["imageHash"]],
            "imageTags": list(image.get("imageTags") or []),
            "resourceIds": [finding["resources"][0]["id"]],
            "architectures": [image.get("architecture", "")],
        }
        wanted = {k: v for k, v in options.items() if k in fields}
        return [(account, finding["resources"][0]["id"])] if _keeps(wanted, fields) else []
    if kind == "PACKAGE":
        names = {
            p["name"] for p in finding.get("packageVulnerabilityDetails", {})["vulnerablePackages"]
        }
        names = {n for n in names if _keeps({"p": options.get("packageNames", [])}, {"p": [n]})}
        return [(account, name) for name in sorted(names)]
    if options.get("findingType") not in (None, finding["type"]):
        return []
    return [(account,)]


def _response(kind: str, key: tuple[str, ...], members: list[Json]) -> Json:
    counts = {"all": len(members), **{k: 0 for k in _SEVERITY_KEYS.values()}}
    for finding in members:
        counts[_SEVERITY_KEYS.get(finding["severity"], "untriaged")] += 1
    images = {f["resources"][0]["id"] for f in members}
    body: Json = {"accountId": key[0], "severityCounts": counts}
    if kind == "REPOSITORY":
        body.update(repository=key[1], affectedImages=len(images))
    elif kind == "AWS_ECR_CONTAINER":
        image = _image(members[0])
        body.update(
            resourceId=key[1],
            imageSha=image["imageHash"],
            repository=image["repositoryName"],
            architecture=image.get("architecture", ""),
            imageTags=list(image.get("imageTags") or []),
        )
    elif kind == "PACKAGE":
        body["packageName"] = key[1]
    else:
        body["fixAvailableCount"] = sum(
            f.get("fixAvailable") in ("YES", "PARTIAL") for f in members
        )
        body["exploitAvailableCount"] = sum(f.get("exploitAvailable") == "YES" for f in members)
    return {"body": body, "_sort": counts, "_images": len(images)}


# The REST paths of the operations answered here (botocore's requestUri), and their handlers.
InspectorHandler = Callable[[EcrState, str, Json, float], Json]
INSPECTOR_PATHS: dict[str, InspectorHandler] = {
    "/findings/list": list_findings,
    "/findings/aggregation/list": list_finding_aggregations,
    "/coverage/list": list_coverage,
}


def handle_inspector(ecr: EcrState, path: str, region: str, body: bytes) -> tuple[int, Json, str]:
    """Answer one of INSPECTOR_PATHS: (HTTP status, JSON body, error type or "")."""
    try:
        params = json.loads(body or b"{}")
        if not isinstance(params, dict):
            raise InspectorError(400, "ValidationException", "Expected a JSON object")
        # Never an answer made of half the registries (outside the lock seeding takes).
        ecr.images_seeded.wait()
        ecr.contexts_seeded.wait()
        with ecr.lock:
            return 200, INSPECTOR_PATHS[path](ecr, region, params, ecr.clock()), ""
    except InspectorError as error:
        return error.status, {"message": error.message}, error.code
    except ValueError as error:
        return 400, {"message": str(error)}, "ValidationException"
