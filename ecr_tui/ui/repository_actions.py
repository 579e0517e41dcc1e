"""Repository administration from the keyboard: create, delete, tag mutability, scan on push.

Also "go to URI", which lands on a repository (and an image in it). Apart from
the policy and image flows because each changes a different thing; the shared
plumbing is in `admin_flows`.
"""

from __future__ import annotations

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
from ecr_tui.core.models import Repository
from ecr_tui.core.uris import ImageReference, ImageReferenceError, parse_image_reference
from ecr_tui.ui.admin_flows import AdminFlows
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.create_repository import CreateRepositoryScreen
from ecr_tui.ui.dialogs.text import TextInputScreen
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane


class RepositoryActions(AdminFlows):
    """The repository flows of one app, and going to a pasted image URI."""

    def _reload_repositories(self, select: str | None = None) -> None:
        pane = self.app.query_one(RepositoriesPane)
        pane.reload()
        if select is not None:
            pane.select_when_loaded(lambda repo: repo.name == select)

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

    # -- finding things ---------------------------------------------------------

    def go_to_uri(self) -> None:
        """Paste an image URI and land on its repository and tag, or hear what is wrong."""

        def go(text: str | None) -> None:
            if text:
                self.go_to_reference(text)

        self.app.push_screen(
            TextInputScreen(
                "Go to an image",
                "ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG, REPO@sha256:…, or REPO",
                validate=reference_problem,
            ),
            go,
        )

    def _offer_region(self, reference: ImageReference, browsing: str) -> None:
        """The URI is in another region: switch there (and go to it), if the user says so."""
        region = reference.region
        assert region is not None

        def answered(switch: bool | None) -> None:
            if switch:
                self.app.contexts.go_to_in_region(
                    region, reference.repository, reference.tag, reference.digest
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Switch to {region}?",
                f"That URI is in {region}; you are browsing {browsing}. Switch to {region} "
                f"(same profile) and open {reference.repository} there?",
                confirm_label="Switch",
            ),
            answered,
        )

    def go_to_reference(self, text: str) -> None:
        """Land on the repository and image `text` names (`reference_problem` accepts it);
        a URI of another account or region is followed here, with a warning."""
        reference = parse_image_reference(text)
        account = self.app.account
        if account and reference.account_id and reference.account_id != account.account_id:
            self.app.notify(
                f"That URI is in account {reference.account_id}; "
                f"you are browsing {account.account_id}.",
                severity="warning",
            )
        if account and reference.region and reference.region != account.region:
            self._offer_region(reference, account.region)
            return
        self.open_repository(reference.repository, reference.tag, reference.digest)

    def open_repository(self, name: str, tag: str | None = None, digest: str | None = None) -> None:
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


def reference_problem(text: str) -> str | None:
    """Why `text` is not an image reference `go_to_reference` can follow, or None."""
    try:
        parse_image_reference(text)
    except ImageReferenceError as error:
        return str(error)
    return None


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
