"""IAM help: minimal policies for ECR work, and plain explanations of AccessDenied errors."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

PolicyKind = Literal["pull", "push", "browse"]

POLICY_KINDS: tuple[PolicyKind, ...] = ("pull", "push", "browse")

AUTHORIZATION_TOKEN_ACTION = "ecr:GetAuthorizationToken"

PULL_ACTIONS: tuple[str, ...] = (
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchCheckLayerAvailability",
)
PUSH_ACTIONS: tuple[str, ...] = (
    *PULL_ACTIONS,
    "ecr:PutImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
)
# Everything the explorer reads, and nothing that changes a repository or downloads layers.
BROWSE_ACTIONS: tuple[str, ...] = (
    "ecr:DescribeRepositories",
    "ecr:DescribeImages",
    "ecr:ListImages",
    "ecr:DescribeImageScanFindings",
    # Reads manifests only (platforms, layer sizes); layers need GetDownloadUrlForLayer.
    "ecr:BatchGetImage",
    "ecr:GetRepositoryPolicy",
    "ecr:GetLifecyclePolicy",
    "ecr:ListTagsForResource",
)

_KIND_STATEMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pull": ("PullImages", PULL_ACTIONS),
    "push": ("PushAndPullImages", PUSH_ACTIONS),
    "browse": ("BrowseRepositories", BROWSE_ACTIONS),
}

_REPOSITORY_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:ecr:[a-z0-9-]+:\d{12}:repository/[a-z0-9._/*-]+")

# The parts of AWS's "User: X is not authorized to perform: A [on resource: R] [reason]".
_ACCESS_DENIED = re.compile(
    r"User: (?P<principal>\S+) is not authorized to perform: (?P<action>[\w-]+:[\w*-]+)"
    r"(?: on resource: (?P<resource>\S+?))?"
    r"(?:\s+(?:because|with) (?P<reason>[^\n]+))?\.?\s*$",
    re.MULTILINE,
)
_ASSUMED_ROLE = re.compile(
    r"arn:(?P<partition>[^:]+):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/.*"
)
_PRINCIPAL_ACCOUNT = re.compile(r"arn:[^:]+:(?:iam|sts)::(?P<account>\d{12}):")

# The kinds of policy AWS names in AccessDenied reasons; none is a substring of another.
_POLICY_TYPES: tuple[str, ...] = (
    "identity-based policy",
    "resource-based policy",
    "service control policy",
    "resource control policy",
    "permissions boundary",
    "VPC endpoint policy",
    "session policy",
)
_ORGANIZATIONS_ADMIN = "your AWS Organizations administrator"


def _authorization_token_statement() -> dict[str, Any]:
    """GetAuthorizationToken has no resource-level permissions: it only works on "*"."""
    return {
        "Sid": "EcrLogin",
        "Effect": "Allow",
        "Action": AUTHORIZATION_TOKEN_ACTION,
        "Resource": "*",
    }


def policy_for(kind: PolicyKind, repository_arn: str) -> dict[str, Any]:
    """The smallest identity-based policy that lets someone pull, push or browse one
    repository (or several, when the ARN ends in a wildcard such as `repository/team/*`).

    Raises ValueError for an unknown kind or an ARN that is not an ECR repository's.
    """
    if kind not in _KIND_STATEMENTS:
        raise ValueError(f"unknown policy kind {kind!r}: use one of {', '.join(POLICY_KINDS)}")
    if not _REPOSITORY_ARN.fullmatch(repository_arn):
        raise ValueError(
            f"{repository_arn!r} is not an ECR repository ARN: "
            "expected arn:aws:ecr:REGION:ACCOUNT:repository/NAME"
        )
    sid, actions = _KIND_STATEMENTS[kind]
    return {
        "Version": "2012-10-17",
        "Statement": [
            _authorization_token_statement(),
            {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": repository_arn},
        ],
    }


def policy_json(kind: PolicyKind, repository_arn: str) -> str:
    """`policy_for` as pretty JSON, ready to paste into the IAM console."""
    return json.dumps(policy_for(kind, repository_arn), indent=2)


def _role_principal(principal: str) -> str:
    """The role ARN behind an assumed-role session, which is what a resource policy names.

    The session ARN does not carry the role's path, so a role created with a path needs
    it added by hand.
    """
    match = _ASSUMED_ROLE.fullmatch(principal)
    if not match:
        return principal
    return f"arn:{match['partition']}:iam::{match['account']}:role/{match['role']}"


@dataclass(frozen=True, slots=True)
class DeniedAccess:
    """One AccessDenied error, taken apart."""

    principal: str
    action: str
    resource: str | None
    reason: str | None  # e.g. "no identity-based policy allows the ecr:ListImages action"

    @property
    def explicit_deny(self) -> bool:
        """True when a Deny statement blocked the call: no Allow can override it."""
        return self.reason is not None and "explicit deny" in self.reason.lower()

    @property
    def policy_type(self) -> str | None:
        """Which kind of policy denied or failed to allow, e.g. "service control policy"."""
        if self.reason is None:
            return None
        lowered = self.reason.lower()
        return next((t for t in _POLICY_TYPES if t.lower() in lowered), None)

    def allowing_statement(self) -> dict[str, Any]:
        """The policy statement that would allow the denied call.

        For a repository policy (resource-based) the statement names the principal and
        no resource, as ECR repository policies do; otherwise it is an identity-based
        statement on the denied resource.
        """
        service, _, name = self.action.partition(":")
        statement: dict[str, Any] = {
            "Sid": "Allow" + service.capitalize() + re.sub(r"[^A-Za-z0-9]", "", name),
            "Effect": "Allow",
        }
        if self.policy_type == "resource-based policy":
            statement["Principal"] = {"AWS": _role_principal(self.principal)}
            statement["Action"] = self.action
            return statement
        statement["Action"] = self.action
        if self.action == AUTHORIZATION_TOKEN_ACTION or not self.resource:
            statement["Resource"] = "*"
        else:
            statement["Resource"] = self.resource
        return statement

    def _account(self) -> str:
        """The principal's account ID, or a placeholder when the principal is not an ARN."""
        match = _PRINCIPAL_ACCOUNT.match(self.principal)
        return match["account"] if match else "this account"

    def _who_can_lift_deny(self) -> str:
        """Who to ask when an explicit deny is in the way."""
        policy_type = self.policy_type
        if policy_type in ("service control policy", "resource control policy"):
            return _ORGANIZATIONS_ADMIN
        if policy_type == "permissions boundary":
            return "the IAM administrator who set the permissions boundary on this identity"
        if policy_type == "session policy":
            return "whoever issues your session (the policy passed when the role is assumed)"
        if policy_type == "resource-based policy":
            return f"the owner of the repository policy on {self.resource or 'the repository'}"
        if policy_type == "VPC endpoint policy":
            return "your network administrator, who manages the VPC endpoint policy"
        return f"the IAM administrator of account {self._account()}"

    def _where_to_allow(self) -> str:
        """Where the missing Allow statement belongs."""
        policy_type = self.policy_type
        if policy_type == "resource-based policy":
            return (
                f"Add this statement to the repository policy of "
                f"{self.resource or 'the repository'} (cross-account callers also need an "
                "identity-based allow in their own account):"
            )
        if policy_type in ("service control policy", "resource control policy"):
            return f"Ask {_ORGANIZATIONS_ADMIN} to allow it in the {policy_type}:"
        if policy_type == "permissions boundary":
            return "The permissions boundary must allow it too: ask its owner to add:"
        if policy_type == "session policy":
            return "Assume the role again with a session policy that includes:"
        if policy_type == "VPC endpoint policy":
            return "Ask your network administrator to allow it in the VPC endpoint policy:"
        return f"Add this statement to a policy attached to {self.principal}:"

    def explain(self) -> str:
        """A few plain lines: who, what, why, and what to do about it."""
        target = f" on {self.resource}" if self.resource else ""
        lines = [f"{self.principal} is not allowed to call {self.action}{target}."]
        if self.reason:
            blocked = "blocked by " if self.explicit_deny else ""
            lines.append(f"Why: {blocked}{self.reason}.")
        if self.explicit_deny:
            lines.append(
                f"An explicit deny in a {self.policy_type or 'policy'} overrides any allow, "
                "so adding an allow statement will not help."
            )
            lines.append(f"Ask {self._who_can_lift_deny()} to lift the deny for {self.action}.")
        else:
            lines.append(self._where_to_allow())
            lines.append(json.dumps(self.allowing_statement(), indent=2))
        return "\n".join(lines)


def parse_access_denied(message: str) -> DeniedAccess | None:
    """Take apart an AWS AccessDenied message; None when it is not one.

    Accepts the bare message or botocore's full "An error occurred (...) when calling
    ...: User: ..." text.
    """
    match = _ACCESS_DENIED.search(message.strip())
    if not match:
        return None
    resource = match["resource"]
    reason = match["reason"]
    return DeniedAccess(
        principal=match["principal"],
        action=match["action"],
        resource=resource.rstrip(".") if resource else None,
        reason=reason.strip().rstrip(".") if reason else None,
    )
