"""Repository administration from the keyboard: each flow asks, confirms, then calls.

A flow shows a dialog, runs the ECR call in a thread worker (group "admin",
so a failure reaches the app's one error handler) and, back on the UI
thread, says what happened and refreshes what it changed. Input is checked by
the dialogs and again by `ecr_tui.core.admin` before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ecr_tui.core.admin.images import (
    DeleteOutcome,
    ImageRef,
    delete_images,
    set_storage_class,
    start_scan,
)
from ecr_tui.core.admin.lifecycle_policy import (
    LifecyclePreview,
    delete_lifecycle_policy,
    get_lifecycle_policy,
    lifecycle_policy_problem,
    preview_lifecycle_policy,
    set_lifecycle_policy,
)
from ecr_tui.core.admin.repositories import (
    NewRepository,
    TagMutabilitySetting,
    count_images,
    create_repository,
    delete_repository,
    get_tag_mutability,
    set_scan_on_push,
    set_tag_mutability,
    toggled_tag_mutability,
)
from ecr_tui.core.admin.repository_policy import (
    delete_repository_policy,
    get_repository_policy,
    repository_policy_problem,
    set_repository_policy,
)
from ecr_tui.core.ecr import EcrService
from ecr_tui.core.iam import policy_json
from ecr_tui.core.models import Image, Repository, ScanState
from ecr_tui.core.uris import ImageReferenceError, parse_image_reference
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.create_repository import CreateRepositoryScreen
from ecr_tui.ui.dialogs.text import PolicyEditorScreen, TextInputScreen, TextViewScreen
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane

T = TypeVar("T")

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


# What the archive storage class costs and means, said before the change.
ARCHIVE_TEXT = (
    "Move this image to ECR's archive storage class?\n\n"
    "· It stays listed (as archived) but cannot be pulled until it is restored.\n"
    "· Archived storage is billed for at least 90 days: restoring or deleting it "
    "sooner still costs the rest of the 90 days.\n"
    "· A restore takes up to 20 minutes and is billed per GB restored."
)
RESTORE_TEXT = (
    "Restore this image from the archive storage class?\n\n"
    "· The restore takes up to 20 minutes (ACTIVATING meanwhile); the image can be "
    "pulled once it is ACTIVE again.\n"
    "· Restores are billed per GB, and an image archived less than 90 days ago is "
    "still billed for the rest of its 90-day minimum."
)


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


class AdminActions:
    """The administration flows of one app."""

    def __init__(self, app: AppHost) -> None:
        self.app = app

    # -- plumbing ---------------------------------------------------------------

    @property
    def _service(self) -> EcrService | None:
        return self.app.service

    def _allowed(self, operation: str, what: str) -> EcrService | None:
        """The service, unless read-only mode forbids `operation` or there is no connection.

        `operation` is the ECR call the flow ends in; `what` says it in words.
        """
        if self.app.refuse_in_read_only(operation, what):
            return None
        if self._service is None:
            self.app.notify("Not connected yet.", severity="warning")
        return self._service

    def _run(
        self,
        description: str,
        work: Callable[[], T],
        then: Callable[[T], None],
        *,
        asks_next: bool = False,
    ) -> None:
        """Run `work` in a thread worker, then `then(result)` on the UI thread.

        `asks_next`: `then` opens a dialog. The keys typed meanwhile wait for it,
        as they would have typed slowly (see `key_order`); a failure lets them go.
        """
        hold = self.app.hold_keys() if asks_next else None

        def finish(result: T) -> None:
            try:
                then(result)
            finally:
                if hold is not None:
                    hold.release()

        def in_thread() -> None:
            try:
                result = work()
            except BaseException:
                if hold is not None:
                    self.app.call_from_thread(hold.release)
                raise
            self.app.call_from_thread(finish, result)

        self.app.run_worker(
            in_thread, thread=True, group="admin", exit_on_error=False, description=description
        )

    def _repository(self) -> Repository | None:
        repository: Repository | None = self.app.query_one(RepositoriesPane).table.current_row
        if repository is None:
            self.app.notify("Choose a repository first.", severity="warning")
        return repository

    def _reload_repositories(self, select: str | None = None) -> None:
        pane = self.app.query_one(RepositoriesPane)
        pane.reload()
        if select is not None:
            pane.select_when_loaded(lambda repo: repo.name == select)

    def _reload_images(self) -> None:
        pane = self.app.query_one(ImagesPane)
        if self._service is not None and pane.repository is not None:
            pane.show(self.app.reader, pane.repository, force=True)

    # -- repositories -----------------------------------------------------------

    def create_repository(self) -> None:
        """Ask for a new repository's settings, create it and select it."""
        service = self._allowed("CreateRepository", "Creating a repository")
        if service is None:
            return

        def created(repository: Repository) -> None:
            self.app.notify(f"Created {repository.uri}", title="Repository created")
            self._reload_repositories(select=repository.name)

        def answered(spec: NewRepository | None) -> None:
            if spec is not None:
                self._run(
                    f"Creating {spec.name}",
                    lambda: create_repository(service, spec),
                    created,
                )

        self.app.push_screen(CreateRepositoryScreen(), answered)

    def delete_repository(self) -> None:
        """Delete the selected repository after its name is typed (and force, if not empty)."""
        service = self._allowed("DeleteRepository", "Deleting a repository")
        repository = self._repository() if service else None
        if service is None or repository is None:
            return

        def ask(count: int) -> None:
            body = (
                f"{repository.name} holds {count:,} image(s); they are deleted with it."
                if count
                else f"{repository.name} is empty."
            )
            self.app.push_screen(
                ConfirmScreen(
                    "Delete repository",
                    body + " This cannot be undone.",
                    typed_confirmation=repository.name,
                    require_force=count or None,
                ),
                lambda yes: confirmed(bool(yes), count),
            )

        def confirmed(yes: bool, count: int) -> None:
            if yes:
                self._run(
                    f"Deleting {repository.name}",
                    lambda: delete_repository(service, repository.name, force=count > 0),
                    lambda _: deleted(),
                )

        def deleted() -> None:
            self.app.notify(f"Deleted {repository.name}", title="Repository deleted")
            self._reload_repositories()

        self._run(
            f"Counting images of {repository.name}",
            lambda: count_images(service, repository.name),
            ask,
            asks_next=True,
        )

    def toggle_tag_mutability(self) -> None:
        """Switch MUTABLE <-> IMMUTABLE, keeping exclusion filters, after saying what changes."""
        service = self._allowed("PutImageTagMutability", "Changing tag mutability")
        repository = self._repository() if service else None
        if service is None or repository is None:
            return
        name = repository.name

        def ask(current: TagMutabilitySetting) -> None:
            target = toggled_tag_mutability(current)
            body = (
                f"{name}: {current.mutability} → {target.mutability}.\n{_mutability_effect(target)}"
            )
            if target.exclusion_filters:
                body += f"\nThe exclusion filters stay: {', '.join(target.exclusion_filters)}."
            elif current.mutability.endswith("_WITH_EXCLUSION"):
                body += (
                    "\nECR did not report its exclusion filters, so they cannot be kept: "
                    "they go with this change."
                )
            self.app.push_screen(
                ConfirmScreen("Change tag mutability", body, confirm_label="Change"),
                lambda yes: confirmed(bool(yes), target),
            )

        def confirmed(yes: bool, target: TagMutabilitySetting) -> None:
            if yes:
                self._run(
                    f"Making {name} {target.mutability}",
                    lambda: set_tag_mutability(
                        service, name, target.mutability, target.exclusion_filters
                    ),
                    lambda _: changed(target),
                )

        def changed(target: TagMutabilitySetting) -> None:
            self.app.notify(f"{name} is now {target}.", title="Tag mutability")
            self._reload_repositories(select=name)

        # Asked of ECR, not taken from the row: the filters are not in it, and it may be old.
        self._run(
            f"Reading tag mutability of {name}",
            lambda: get_tag_mutability(service, name),
            ask,
            asks_next=True,
        )

    def toggle_scan_on_push(self) -> None:
        """Turn scan-on-push on or off for the selected repository, after asking."""
        service = self._allowed("PutImageScanningConfiguration", "Changing scan on push")
        repository = self._repository() if service else None
        if service is None or repository is None:
            return
        name = repository.name

        def ask(current: Repository) -> None:
            enabled = not current.scan_on_push
            now, then = ("off", "on") if enabled else ("on", "off")
            effect = (
                "Every image pushed from now on is scanned for vulnerabilities (basic "
                "scanning); images already there are not."
                if enabled
                else "Images pushed from now on are not scanned, unless a scan is started "
                "by hand (S in the images pane)."
            )
            self.app.push_screen(
                ConfirmScreen(
                    "Scan on push",
                    f"{name}: scan on push {now} → {then}.\n{effect}",
                    confirm_label=f"Turn {then}",
                ),
                lambda yes: confirmed(bool(yes), enabled),
            )

        def confirmed(yes: bool, enabled: bool) -> None:
            if yes:
                self._run(
                    f"Scan on push for {name}",
                    lambda: set_scan_on_push(service, name, enabled),
                    lambda _: changed(enabled),
                )

        def changed(enabled: bool) -> None:
            state = "on" if enabled else "off"
            self.app.notify(f"Scan on push is {state} for {name}.", title="Scan on push")
            self._reload_repositories(select=name)

        self._run(f"Reading {name}", lambda: service.repository(name), ask, asks_next=True)

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

    # -- images -----------------------------------------------------------------

    def start_scan(self) -> None:
        """Start a basic scan of the selected image; the findings pane follows it."""
        service = self._allowed("StartImageScan", "Starting a scan")
        image: Image | None = self.app.query_one(ImagesPane).table.current_row
        if service is None or image is None:
            return

        def started(state: ScanState) -> None:
            # The state's words ("scanning"), not the enum's name (ScanState.IN_PROGRESS).
            self.app.notify(f"Scan of {_label(image)}: {state.value}.", title="Scan started")
            self._reload_images()

        self._run(
            f"Scanning {_label(image)}",
            lambda: start_scan(service, image.repository, image.digest),
            started,
        )

    def toggle_mark(self) -> None:
        """Mark or unmark the selected image for deletion, and move on."""
        pane = self.app.query_one(ImagesPane)
        if pane.table.current_row is not None:
            pane.table.toggle_mark(pane.table.current_row)
            pane.table.action_cursor_down()
            pane.refresh_subtitle()

    def delete_images(self) -> None:
        """Delete the marked images (or the selected one) after listing what goes."""
        service = self._allowed("BatchDeleteImage", "Deleting images")
        pane = self.app.query_one(ImagesPane)
        images: list[Image] = pane.table.marked_rows or (
            [pane.table.current_row] if pane.table.current_row else []
        )
        if service is None or not images or pane.repository is None:
            return
        repository = pane.repository.name
        listing = "\n".join(f"  {_label(image)}  {image.short_digest}" for image in images[:12])
        if len(images) > 12:
            listing += f"\n  … and {len(images) - 12} more"
        refs = [ImageRef(digest=image.digest) for image in images]

        def deleted(outcome: DeleteOutcome) -> None:
            failed = [f"{f.image.label}: {f.explanation}" for f in outcome.failures]
            self.app.notify(
                "\n".join([outcome.summary, *failed]),
                title="Images deleted" if not failed else "Some images were not deleted",
                severity="information" if not failed else "warning",
                timeout=12,
            )
            self._reload_images()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(
                    f"Deleting {len(refs)} image(s)",
                    lambda: delete_images(service, repository, refs),
                    deleted,
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Delete {len(images)} image(s) from {repository}",
                f"Every tag of these images goes with them:\n{listing}",
            ),
            confirmed,
        )

    def toggle_archive(self) -> None:
        """Archive the selected image, or restore it, after saying what it costs."""
        pane = self.app.query_one(ImagesPane)
        image: Image | None = pane.table.current_row
        if image is None or pane.repository is None:
            self.app.notify("Choose an image first.", severity="warning")
            return
        if image.image_status == "ACTIVATING":
            self.app.notify(
                f"{_label(image)} is being restored already (up to 20 minutes); "
                "press r to see whether it is done.",
                title="Restore under way",
            )
            return
        archive = not image.is_archived
        service = self._allowed(
            "UpdateImageStorageClass", "Archiving images" if archive else "Restoring images"
        )
        if service is None:
            return
        repository = pane.repository.name

        def changed(status: str) -> None:
            done = "archived" if archive else "being restored (up to 20 minutes)"
            self.app.notify(
                f"{_label(image)} is {done}: ECR says {status or 'nothing'}.",
                title="Archived" if archive else "Restore started",
            )
            self._reload_images()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(
                    f"{'Archiving' if archive else 'Restoring'} {_label(image)}",
                    lambda: set_storage_class(service, repository, image.digest, archive),
                    changed,
                )

        title = f"{'Archive' if archive else 'Restore'} {_label(image)} ({repository})"
        self.app.push_screen(
            ConfirmScreen(
                title,
                ARCHIVE_TEXT if archive else RESTORE_TEXT,
                confirm_label="Archive" if archive else "Restore",
            ),
            confirmed,
        )

    # -- finding things ---------------------------------------------------------

    def go_to_uri(self) -> None:
        """Paste an image URI and land on its repository and tag, or hear what is wrong."""

        def problem(text: str) -> str | None:
            try:
                parse_image_reference(text)
            except ImageReferenceError as error:
                return str(error)
            return None

        def go(text: str | None) -> None:
            if not text:
                return
            reference = parse_image_reference(text)
            account = self.app.account
            if account and reference.account_id and reference.account_id != account.account_id:
                self.app.notify(
                    f"That URI is in account {reference.account_id}; "
                    f"you are browsing {account.account_id}.",
                    severity="warning",
                )
            if account and reference.region and reference.region != account.region:
                self.app.notify(
                    f"That URI is in {reference.region}; you are browsing {account.region}: "
                    f"start ecr-tui with --region {reference.region}.",
                    severity="warning",
                )
            self._go_to(reference.repository, reference.tag, reference.digest)

        self.app.push_screen(
            TextInputScreen(
                "Go to an image",
                "ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG, REPO@sha256:…, or REPO",
                validate=problem,
            ),
            go,
        )

    def _go_to(self, name: str, tag: str | None, digest: str | None) -> None:
        """Open repository `name`, with the cursor on the image of `tag` or `digest`.

        The images pane is told at once, not when the repositories pane's message
        comes: until then it shows the repository open before, and a tag found there
        (such as `prod`) would be taken for the one asked for.
        """
        repositories = self.app.query_one(RepositoriesPane)
        repository = repositories.table.find_row(lambda r: r.name == name)
        if repository is None:
            if repositories.is_loading:
                self.app.notify(
                    f"{name} is not listed yet: the repositories are still loading. "
                    "Try again in a moment.",
                    severity="warning",
                )
            else:
                self.app.notify(f"No repository named {name} here.", severity="error")
            return
        # Neither a rest on another repository nor a reload's return to one opens it now.
        repositories.cancel_follow()
        repositories.forget_wanted()
        if not repositories.table.move_to(repository):
            repositories.clear_filter()  # the filter hid it
            repositories.table.move_to(repository)
        images = self.app.query_one(ImagesPane)
        if digest:
            label = f"@{digest.removeprefix('sha256:')[:12]}"
            images.go_to(self.app.reader, repository, lambda i: i.digest == digest, label)
        elif tag:
            images.go_to(self.app.reader, repository, lambda i: tag in i.tags, tag)
        else:
            images.show(self.app.reader, repository)
        # Focus the images: the repositories pane then asks for what is open already.
        repositories.table.action_select()


def _mutability_effect(target: TagMutabilitySetting) -> str:
    """What a tag mutability setting means for the next push, in words."""
    filters = ", ".join(target.exclusion_filters)
    return {
        "IMMUTABLE": "Existing tags can then never be moved or overwritten.",
        "MUTABLE": "Tags can then be moved by a push that reuses them.",
        "IMMUTABLE_WITH_EXCLUSION": (
            f"Existing tags can then never be moved, except tags matching {filters}."
        ),
        "MUTABLE_WITH_EXCLUSION": (
            f"Tags can then be moved by a push, except tags matching {filters}, which stay fixed."
        ),
    }[target.mutability]


def _label(image: Image) -> str:
    return image.tags[0] if image.tags else image.short_digest


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text
