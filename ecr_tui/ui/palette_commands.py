"""The command palette's commands: every action the app has, not only its keys.

A long, flat list of titles and help texts that grows with every action; apart
from the app so that `ui.app` keeps to composing, wiring and the status line.
`EcrApp.get_system_commands` yields these after Textual's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from textual.app import SystemCommand

if TYPE_CHECKING:
    from ecr_tui.ui.image_actions import ImageActions
    from ecr_tui.ui.panes.findings import FindingsPane
    from ecr_tui.ui.panes.images import ImagesPane
    from ecr_tui.ui.panes.repositories import RepositoriesPane
    from ecr_tui.ui.policy_actions import PolicyActions
    from ecr_tui.ui.repository_actions import RepositoryActions


class PaletteActions(Protocol):
    """The app's own actions the palette offers (`EcrApp` has them)."""

    def action_refresh(self) -> None: ...
    def action_help(self) -> None: ...
    def action_show_notifications(self) -> None: ...
    def action_toggle_zoom(self) -> None: ...
    def action_docker_login(self) -> None: ...
    def action_docker_store_login(self) -> None: ...
    def action_docker_push(self) -> None: ...
    def action_switch_profile(self) -> None: ...
    def action_switch_region(self) -> None: ...
    def action_command_bar(self, initial: str = "") -> None: ...
    def action_vulnerabilities(self) -> None: ...


def palette_commands(
    app: PaletteActions,
    repositories: RepositoriesPane,
    images: ImagesPane,
    findings: FindingsPane,
    repository_admin: RepositoryActions,
    policy_admin: PolicyActions,
    image_admin: ImageActions,
) -> Iterator[SystemCommand]:
    """The app's, the panes', administration's and Docker's commands, in palette order."""
    yield SystemCommand("Refresh", "Reload repositories, images and findings", app.action_refresh)
    yield SystemCommand("Keys", "List every key binding", app.action_help)
    yield SystemCommand(
        "Notifications",
        "The last notifications again, newest first",
        app.action_show_notifications,
    )
    yield SystemCommand(
        "Pick a profile…",
        "A filterable list of the AWS config's profiles: enter switches to one",
        app.action_switch_profile,
    )
    yield SystemCommand(
        "Pick a region…",
        "A filterable list of this partition's regions: enter switches to one",
        app.action_switch_region,
    )
    yield SystemCommand(
        "Command bar",
        ":repo, :image, :uri, :profile, :region, :help, :q (also the : key)",
        app.action_command_bar,
    )
    for title, line in (
        ("Open repository", "repo "),
        ("Go to image", "image "),
        ("Switch profile", "profile "),
        ("Switch region", "region "),
    ):
        yield SystemCommand(
            title,
            f"The command bar's :{line.strip()}, with its candidates listed",
            lambda line=line: app.action_command_bar(line),
        )
    yield SystemCommand(
        "Vulnerabilities",
        "Every image's findings: by vulnerability, repository or package; export (V)",
        app.action_vulnerabilities,
    )
    yield SystemCommand("Zoom pane", "Maximize or restore the focused pane", app.action_toggle_zoom)
    yield SystemCommand("Sort images", "Cycle pushed / size / severity", images.action_cycle_sort)
    yield SystemCommand("Reverse image order", "Flip the sort order", images.action_flip_order)
    yield SystemCommand(
        "Unfold index", "Show an image index's platforms under it", images.action_toggle_expand
    )
    yield SystemCommand(
        "List every manifest",
        "Platforms, attestations and referrers as rows of their own (or fold them)",
        images.action_toggle_all_manifests,
    )
    yield SystemCommand(
        "Image details", "Tags, kinds, platforms, referrers, JSON", images.action_details
    )
    yield SystemCommand(
        "Minimum severity",
        "Cycle the lowest severity shown",
        findings.action_cycle_min_severity,
    )
    for title, help_text, callback in (
        ("Unrated findings", "Hide or show untriaged findings", findings.action_toggle_unrated),
        (
            "Fixable findings only",
            "Findings with a fix, or all",
            findings.action_toggle_fixable,
        ),
        ("Sort findings", "Severity, or severity then fix", findings.action_cycle_sort),
        ("Findings platform", "Merged, or one platform's", findings.action_cycle_platform),
    ):
        yield SystemCommand(title, help_text, callback)
    for pane in (repositories, images, findings):
        yield SystemCommand(
            f"Filter {pane.noun}",
            f"Type to filter the {pane.noun} pane",
            pane.action_open_filter,
        )
    for title, help_text, callback in (
        ("New repository", "Create a repository", repository_admin.create_repository),
        (
            "Delete repository",
            "Delete the selected repository",
            repository_admin.delete_repository,
        ),
        (
            "Toggle tag mutability",
            "MUTABLE <-> IMMUTABLE, keeping exclusion filters (asks first)",
            repository_admin.toggle_tag_mutability,
        ),
        (
            "Toggle scan on push",
            "Scan every pushed image, or stop (asks first)",
            repository_admin.toggle_scan_on_push,
        ),
        ("Edit repository policy", "View, edit, validate", policy_admin.edit_repository_policy),
        ("Delete repository policy", "Remove it", lambda: policy_admin.delete_policy(False)),
        ("Edit lifecycle policy", "View, edit, validate", policy_admin.edit_lifecycle_policy),
        ("Delete lifecycle policy", "Remove it", lambda: policy_admin.delete_policy(True)),
        (
            "Preview lifecycle policy",
            "Which images a draft would expire",
            policy_admin.preview_lifecycle_policy,
        ),
        (
            "IAM policies",
            "Minimal pull / push / browse policies",
            policy_admin.show_iam_policies,
        ),
        ("Scan image", "Start a basic scan of the selected image", image_admin.start_scan),
        (
            "Delete images",
            "Delete marked (space) or selected images",
            image_admin.delete_images,
        ),
        (
            "Archive or restore image",
            "Archive storage class, or back",
            image_admin.toggle_archive,
        ),
        (
            "Go to URI",
            "Paste an image URI and land on it (also :uri URI)",
            repository_admin.go_to_uri,
        ),
    ):
        yield SystemCommand(title, help_text, callback)
    yield SystemCommand(
        "Docker login",
        "Log Docker in to the registry with an ECR token",
        app.action_docker_login,
    )
    yield SystemCommand(
        "Store login for docker CLI",
        "Write an ECR login where the docker CLI looks (says where, asks first)",
        app.action_docker_store_login,
    )
    yield SystemCommand(
        "Push a local image",
        "Tag and push an image of the Docker daemon",
        app.action_docker_push,
    )
    for action, title, help_text in (
        ("pull", "Pull image", "Pull the selected image into Docker"),
        ("retag", "Add a tag", "Tag the selected image in ECR, without pulling it"),
        ("copy_uri", "Copy image URI", "repository-uri:tag"),
        ("copy_digest_uri", "Copy digest URI", "repository-uri@sha256:…"),
        ("copy_pull_command", "Copy docker pull command", "docker pull repository-uri:tag"),
    ):
        yield SystemCommand(
            title, help_text, lambda action=action: images.action_image_action(action)
        )
