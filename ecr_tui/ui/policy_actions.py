"""Repository and lifecycle policies: view, edit, delete, preview, and the IAM policies.

Apart from the repository flows because both policies share one editor flow
(`PolicyKind` says which) and their templates; the shared plumbing is in
`admin_flows`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ecr_tui.core.admin.lifecycle_policy import (
    LifecyclePreview,
    delete_lifecycle_policy,
    get_lifecycle_policy,
    lifecycle_policy_problem,
    preview_lifecycle_policy,
    set_lifecycle_policy,
)
from ecr_tui.core.admin.repository_policy import (
    delete_repository_policy,
    get_repository_policy,
    repository_policy_problem,
    set_repository_policy,
)
from ecr_tui.core.ecr import EcrService
from ecr_tui.core.iam import policy_json
from ecr_tui.ui.admin_flows import AdminFlows
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.text import PolicyEditorScreen, TextViewScreen

# What an empty policy editor starts from: valid, and easy to adapt.
REPOSITORY_POLICY_TEMPLATE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowPullFromAccount",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::ACCOUNT_ID:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}
LIFECYCLE_POLICY_TEMPLATE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire untagged images after 14 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}


@dataclass(frozen=True, slots=True)
class PolicyKind:
    """One of a repository's two policies: its words, its calls and their ECR names."""

    label: str
    get: Callable[[EcrService, str], str | None]
    put: Callable[[EcrService, str, str], None]
    put_operation: str
    delete: Callable[[EcrService, str], bool]
    delete_operation: str
    problem: Callable[[str], str | None]
    template: dict[str, Any]


REPOSITORY_POLICY = PolicyKind(
    "repository policy",
    get_repository_policy,
    set_repository_policy,
    "SetRepositoryPolicy",
    delete_repository_policy,
    "DeleteRepositoryPolicy",
    repository_policy_problem,
    REPOSITORY_POLICY_TEMPLATE,
)
LIFECYCLE_POLICY = PolicyKind(
    "lifecycle policy",
    get_lifecycle_policy,
    set_lifecycle_policy,
    "PutLifecyclePolicy",
    delete_lifecycle_policy,
    "DeleteLifecyclePolicy",
    lifecycle_policy_problem,
    LIFECYCLE_POLICY_TEMPLATE,
)


class PolicyActions(AdminFlows):
    """The policy flows of one app."""

    def edit_repository_policy(self) -> None:
        """View and edit the selected repository's policy (validated before it is sent)."""
        self._edit_policy(REPOSITORY_POLICY)

    def edit_lifecycle_policy(self) -> None:
        """View and edit the selected repository's lifecycle policy."""
        self._edit_policy(LIFECYCLE_POLICY)

    def _edit_policy(self, kind: PolicyKind) -> None:
        service = self._service
        repository = self._repository()
        if service is None or repository is None:
            return
        label = kind.label

        def show(current: str | None) -> None:
            text = _pretty(current) if current else json.dumps(kind.template, indent=2)
            if not current and self.app.account and self.app.account.account_id:
                text = text.replace("ACCOUNT_ID", self.app.account.account_id)
            if not self.app.allows(kind.put_operation):
                title = f"{label} · {repository.name} · read-only"
                if current:
                    self.app.push_screen(TextViewScreen(title, text))
                else:  # a template shown here would pass for the policy
                    none = f"{repository.name} has no {label}."
                    self.app.push_screen(TextViewScreen(title, none, None))
                return
            state = "" if current else " (none set: a template to start from)"
            # The editor makes the call itself, so that a refusal leaves the draft there.
            self.app.push_screen(
                PolicyEditorScreen(
                    f"{label} · {repository.name}{state}",
                    text,
                    kind.problem,
                    submit=lambda draft: kind.put(service, repository.name, draft),
                    done=saved,
                )
            )

        def saved(_: None) -> None:
            self.app.notify(f"Saved the {label} of {repository.name}.", title="Saved")

        self._run(
            f"Reading the {label}", lambda: kind.get(service, repository.name), show, asks_next=True
        )

    def delete_policy(self, lifecycle: bool) -> None:
        """Remove the repository policy or the lifecycle policy, after a confirmation."""
        kind = LIFECYCLE_POLICY if lifecycle else REPOSITORY_POLICY
        label = kind.label
        service = self._allowed(kind.delete_operation, f"Deleting the {label}")
        repository = self._repository() if service else None
        if service is None or repository is None:
            return

        def deleted(existed: bool) -> None:
            said = f"Deleted the {label}" if existed else f"There was no {label}"
            self.app.notify(f"{said} of {repository.name}.")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(
                    f"Deleting the {label}",
                    lambda: kind.delete(service, repository.name),
                    deleted,
                )

        self.app.push_screen(
            ConfirmScreen(f"Delete {label}", f"Remove the {label} of {repository.name}?"),
            confirmed,
        )

    def preview_lifecycle_policy(self) -> None:
        """Edit a draft lifecycle policy and list the images it would expire (a dry run).

        IAM counts StartLifecyclePolicyPreview as a write, so read-only mode refuses it.
        """
        service = self._allowed("StartLifecyclePolicyPreview", "Previewing a lifecycle policy")
        repository = self._repository() if service else None
        if service is None or repository is None:
            return

        def show(current: str | None) -> None:
            text = _pretty(current) if current else json.dumps(LIFECYCLE_POLICY_TEMPLATE, indent=2)
            self.app.push_screen(
                PolicyEditorScreen(
                    f"Preview a lifecycle policy · {repository.name} (ctrl+s runs the preview)",
                    text,
                    lifecycle_policy_problem,
                    submit=lambda draft: preview_lifecycle_policy(service, repository.name, draft),
                    done=report,
                )
            )

        def report(preview: LifecyclePreview | None) -> None:
            if preview is None:
                return
            lines = [f"{preview.expiring_count} image(s) would expire:"]
            lines += [
                f"  rule {r.rule_priority}: {r.digest[:19]} {', '.join(r.tags) or '<untagged>'}"
                for r in preview.results
            ]
            self.app.push_screen(
                TextViewScreen(f"Lifecycle preview · {repository.name}", "\n".join(lines), None)
            )

        self._run(
            "Reading the lifecycle policy",
            lambda: get_lifecycle_policy(service, repository.name),
            show,
            asks_next=True,
        )

    def show_iam_policies(self) -> None:
        """The minimal IAM policies to pull, push and browse the selected repository."""
        repository = self._repository()
        if repository is None:
            return
        parts = []
        for kind, purpose in (
            ("pull", "Pull images"),
            ("push", "Push and pull images"),
            ("browse", "Browse (read-only)"),
        ):
            body = policy_json(kind, repository.arn)  # type: ignore[arg-type]
            parts.append(f"// {purpose} of {repository.name}\n{body}")
        self.app.push_screen(
            TextViewScreen(f"IAM policies · {repository.name}", "\n\n".join(parts), None)
        )


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text
