"""Docker and image workflows: log in, push, pull, and the images pane's retag and copy.

Whether Docker answers is asked once, in the background (`check`); without it
browsing works as before and the Docker keys say what is missing. A flow shows
a dialog or the transfer screen, runs the slow call in a thread worker (a
failure reaches the app's one error handler) and, back on the UI thread, says
what happened and shows the images as ECR now has them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ecr_tui.core.errors import UserFacingError
from ecr_tui.core.models import Image, Repository
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.background import run_then
from ecr_tui.ui.format import human_size
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane

# Dialogs, Docker transfers and the clipboard are imported where they are first
# used: this module is loaded by the Docker check, before any of them is needed.
if TYPE_CHECKING:
    from ecr_tui.core.docker.credential_store import CliLoginPlan
    from ecr_tui.core.docker.local_docker import LocalImage
    from ecr_tui.core.docker.login import LoginState
    from ecr_tui.core.docker.progress import TransferProgress, TransferResult
    from ecr_tui.core.docker.session import DockerSession
    from ecr_tui.core.ecr import EcrService
    from ecr_tui.ui.clipboard import CopyKind
    from ecr_tui.ui.dialogs.push import PushTarget
    from ecr_tui.ui.dialogs.transfer import TransferDone

T = TypeVar("T")


class DockerActions:
    """The Docker and image flows of one app, and whether Docker can act."""

    def __init__(self, app: AppHost) -> None:
        self.app = app
        self.session: DockerSession | None = None
        # Why Docker cannot act, once checked; None when it can.
        self.problem: str | None = None

    # -- plumbing ---------------------------------------------------------------

    def _run(
        self,
        group: str,
        work: Callable[[], T],
        then: Callable[[T], None],
        *,
        asks_next: bool = False,
    ) -> None:
        """Run `work` in a thread worker, then `then(result)` on the UI thread.

        A newer run of the same group replaces an older one. `then` is queued on
        the app like a message: the thread does not wait for it (see background).
        """
        run_then(
            self.app,
            work,
            then,
            group=group,
            wait_for_ui=False,
            exclusive=True,
            asks_next=asks_next,
        )

    def _ready(self) -> DockerSession | None:
        """The session when Docker can act; else None, having told the user why not."""
        if self.session is None:
            self.app.notify("Still looking for Docker: try again in a moment.", timeout=4)
            return None
        if self.problem:
            self.app.notify(self.problem, title="Docker unavailable", severity="error", timeout=12)
            return None
        return self.session

    def _refresh_login(self) -> None:
        status = self.app.status_bar()
        if self.session is not None and status is not None:
            status.login = self.session.login_state()

    # -- whether Docker can act -------------------------------------------------

    def check(self, service: EcrService) -> None:
        """Ask, in the background, whether Docker answers, and show it in the status bar."""

        def probe() -> tuple[DockerSession, str | None]:
            # Imported here: loading the docker SDK should not delay the first frame.
            from ecr_tui.core.docker.local_docker import LocalDocker
            from ecr_tui.core.docker.session import DockerSession

            session = self.session
            if session is None or session.service is not service:
                session = DockerSession(service, LocalDocker())
            demo = self.app.demo_endpoint
            if demo is not None and demo.registry_problem:
                problem: str | None = (
                    f"the demo has no registry to push to: {demo.registry_problem}"
                )
            else:
                problem = session.docker.availability()
            return session, problem

        self._run("docker-check", probe, self._checked)

    def _checked(self, checked: tuple[DockerSession, str | None]) -> None:
        """Remember whether Docker can act, and say so in the status bar."""
        self.session, self.problem = checked
        status = self.app.status_bar()
        if status is not None:
            status.checked, status.problem = True, self.problem
            status.login = self.session.login_state()

    # -- logging in -------------------------------------------------------------

    def login(self) -> None:
        """Log the Docker daemon in to the registry with a fresh ECR token."""
        session = self._ready()
        if session is None:
            return
        self.app.notify("Logging Docker in to the registry…", timeout=3)

        def logged_in(state: LoginState) -> None:
            status = self.app.status_bar()
            if status is not None:
                status.login = state
            self.app.notify(f"Docker is logged in to {state.registry}.", title="Logged in")

        self._run("docker-login", session.login, logged_in)

    def store_cli_login(self) -> None:
        """Save a login for the docker CLI as well (it needs no daemon), after saying where.

        It writes a credential to the user's Docker configuration (or credential
        helper), which outlives the app: it is only done once the user agrees.
        """
        from ecr_tui.core.docker.credential_store import CliLoginMethod
        from ecr_tui.ui.dialogs.confirm import ConfirmScreen

        session = self.session
        if session is None:
            self.app.notify("Still connecting: try again in a moment.", timeout=4)
            return

        def stored(summary: str) -> None:
            self.app.notify(summary, title="docker CLI login", timeout=8)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run("docker-cli", lambda: session.store_cli_login().message, stored)

        def ask(plan: CliLoginPlan) -> None:
            if plan.method is CliLoginMethod.ECR_HELPER:
                stored(f"Nothing to store: the login for the docker CLI goes {plan.destination}.")
                return
            demo = (
                "\nThis is the demo's own registry: the login is of no use once the demo stops."
                if self.app.settings.demo
                else ""
            )
            self.app.push_screen(
                ConfirmScreen(
                    "Store a login for the docker CLI?",
                    f"The docker command gets a login to {plan.registry} (an ECR token, valid "
                    f"12 hours), kept in {plan.destination}. Other logins there stay as they "
                    f"are.{demo}",
                    confirm_label="Store",
                ),
                confirmed,
            )

        self._run("docker-cli", session.cli_login_plan, ask)

    # -- the images pane's pull, retag and copy ---------------------------------

    def image_action(self, action: str, repository: Repository, image: Image) -> None:
        """Pull, retag or copy the image the user chose in the images pane."""
        from ecr_tui.ui.clipboard import copy_kind

        if action == "pull":
            self._pull(repository, image)
        elif action == "retag":
            self._ask_retag(repository, image)
        elif (kind := copy_kind(action)) is not None:
            self._copy(kind, repository, image)

    def _copy(self, kind: CopyKind, repository: Repository, image: Image) -> None:
        from ecr_tui.core.uris import ImageReferenceError
        from ecr_tui.ui.clipboard import clipboard_text

        try:
            copied = clipboard_text(kind, repository.uri, image)
        except ImageReferenceError as error:
            self.app.notify(str(error), title="Nothing copied", severity="error")
            return
        self.app.copy_to_clipboard(copied.text)
        self.app.notify(f"Copied {copied.label}: {copied.text}", timeout=6)

    def _pull(self, repository: Repository, image: Image) -> None:
        from ecr_tui.core.uris import ImageReferenceError
        from ecr_tui.ui.clipboard import pull_reference
        from ecr_tui.ui.dialogs.transfer import TransferScreen

        if image.is_archived:
            # ECR answers a pull of an archived image with "not found": say why first.
            state = "being restored" if image.image_status == "ACTIVATING" else "archived"
            self.app.notify(
                f"This image is {state}: ECR serves archived images to no one. "
                + (
                    "Wait for the restore (up to 20 minutes), press r, then pull."
                    if state == "being restored"
                    else "Restore it first with A (up to 20 minutes), then pull."
                ),
                title="Cannot pull",
                severity="error",
                timeout=10,
            )
            return
        session = self._ready()
        if session is None:
            return
        try:
            reference = pull_reference(repository.uri, image)
        except ImageReferenceError as error:
            self.app.notify(str(error), title="Cannot pull", severity="error")
            return

        def pull(
            report: Callable[[TransferProgress], None], stop: Callable[[], bool]
        ) -> TransferResult:
            return session.pull(reference, report, stop)

        def finished(done: TransferDone | None) -> None:
            self._refresh_login()
            if done is not None:
                self._notify_transfer(done)
                if not done.result.cancelled:  # ECR now has a newer "last pulled"
                    self._reload_images(repository, lambda shown: shown.digest == image.digest)

        self.app.push_screen(TransferScreen(f"Pull {reference}", pull), finished)

    def _ask_retag(self, repository: Repository, image: Image) -> None:
        from ecr_tui.core.names import docker_tag_problem, image_tag_problem
        from ecr_tui.ui.dialogs.text import TextInputScreen

        if self.app.refuse_in_read_only("PutImage", "Adding a tag"):
            return

        def chosen(tag: str | None) -> None:
            if tag and self.app.service is not None:
                self._retag(self.app.service, repository, image, tag)

        label = ", ".join(image.tags) if image.tags else "untagged"
        self.app.push_screen(
            TextInputScreen(
                f"Add a tag in {repository.name}",
                f"New tag for {image.short_digest} ({label}); nothing is pulled:",
                validate=image_tag_problem,
                warn=docker_tag_problem,
            ),
            chosen,
        )

    def _retag(self, service: EcrService, repository: Repository, image: Image, tag: str) -> None:
        def retag() -> None:
            from ecr_tui.core.admin.images import retag_image

            retag_image(service, repository.name, image.digest, tag)

        def retagged(_: None) -> None:
            short = image.digest.removeprefix("sha256:")[:12]
            self.app.notify(f"{repository.name}:{tag} now names {short}.", title="Tagged")
            self._reload_images(repository, lambda shown: tag in shown.tags)

        self._run("retag", retag, retagged)

    # -- pushing ----------------------------------------------------------------

    def push(self) -> None:
        """Choose a local image, then the repository and tag, then push it."""
        from ecr_tui.ui.dialogs.push import LocalImagePickerScreen

        if self.app.refuse_in_read_only("PutImage", "Pushing an image"):
            return
        session = self._ready()
        if session is not None:
            self.app.push_screen(
                LocalImagePickerScreen(session.docker.list_local_images), self._push_source_chosen
            )

    def _push_source_chosen(self, source: LocalImage | None) -> None:
        from ecr_tui.ui.dialogs.push import PushTargetScreen

        if source is None:
            return
        images = self.app.query_one(ImagesPane)
        repositories = self.app.query_one(RepositoriesPane)
        selected = images.repository or repositories.table.current_row
        names = [repository.name for repository in repositories.table.rows]

        def chosen(target: PushTarget | None) -> None:
            if target is not None and self.app.service is not None:
                self._resolve_push_target(self.app.service, source, target)

        self.app.push_screen(
            PushTargetScreen(source, selected.name if selected else "", names), chosen
        )

    def _resolve_push_target(
        self, service: EcrService, source: LocalImage, target: PushTarget
    ) -> None:
        def resolve() -> Repository:
            from botocore.exceptions import ClientError

            try:
                return service.repository(target.repository)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "RepositoryNotFoundException":
                    raise UserFacingError(
                        "Repository not found",
                        f"{target.repository} does not exist in this registry: "
                        "create it first, or check the name.",
                    ) from error
                raise

        self._run(
            "push-target",
            resolve,
            lambda repository: self._push_when_tag_is_free(source, repository, target.tag),
            asks_next=True,
        )

    def _push_when_tag_is_free(self, source: LocalImage, repository: Repository, tag: str) -> None:
        """Warn before a push ECR will refuse, else push."""
        from ecr_tui.ui.dialogs.confirm import ConfirmScreen

        images = self.app.query_one(ImagesPane)
        shown = images.repository is not None and images.repository.name == repository.name
        # Only what is loaded is checked; the registry refuses the rest with a plain message.
        taken = shown and any(tag in image.tags for image in images.table.rows)
        if not (taken and repository.tag_mutability.startswith("IMMUTABLE")):
            self._push(source, repository, tag)
            return
        unless = (
            " (unless the tag matches one of its exclusion filters)"
            if repository.tag_mutability.endswith("_WITH_EXCLUSION")
            else ""
        )

        def confirmed(go_ahead: bool | None) -> None:
            if go_ahead:
                self._push(source, repository, tag)

        self.app.push_screen(
            ConfirmScreen(
                "Tag already exists",
                f"{repository.name} has immutable tags and already has an image tagged "
                f"{tag}: ECR will refuse to move it{unless}. Push anyway?",
                confirm_label="Push anyway",
            ),
            confirmed,
        )

    def _push(self, source: LocalImage, repository: Repository, tag: str) -> None:
        from ecr_tui.ui.dialogs.push import local_image_label
        from ecr_tui.ui.dialogs.transfer import TransferScreen

        session = self._ready()
        if session is None:
            return

        def push(
            report: Callable[[TransferProgress], None], stop: Callable[[], bool]
        ) -> TransferResult:
            return session.push(source, repository.uri, tag, report, stop)

        def finished(done: TransferDone | None) -> None:
            self._refresh_login()
            if done is not None:
                self._notify_transfer(done)
                if not done.result.cancelled:
                    self._reload_images(repository, lambda image: tag in image.tags)

        title = f"Push {local_image_label(source)} to {repository.uri}:{tag}"
        self.app.push_screen(TransferScreen(title, push), finished)

    # -- after a transfer or a retag --------------------------------------------

    def _notify_transfer(self, done: TransferDone) -> None:
        from ecr_tui.ui.dialogs.transfer import layer_count

        result = done.result
        verb = "Pushed" if result.action == "push" else "Pulled"
        if result.cancelled:
            self.app.notify(
                f"{result.reference}: stopped after {done.seconds:.1f} s.",
                title=f"{result.action.title()} cancelled",
                severity="warning",
            )
            return
        self.app.notify(
            f"{result.reference}\n{result.digest or 'digest unknown'}\n"
            f"{human_size(result.bytes_total)} in {layer_count(result.layer_count)}, "
            f"{done.seconds:.1f} s",
            title=verb,
            timeout=10,
        )

    def _reload_images(self, repository: Repository, wanted: Callable[[Image], bool]) -> None:
        """Show `repository`'s images again, as ECR now has them, with the cursor on `wanted`."""
        if self.app.service is None:
            return
        repositories = self.app.query_one(RepositoriesPane)
        row = next((r for r in repositories.table.rows if r.name == repository.name), None)
        if row is not None:
            # The pane follows the cursor to the same repository: nothing loads twice.
            repositories.table.move_to(row)
            repository = row
        images = self.app.query_one(ImagesPane)
        images.show(self.app.reader, repository, force=True)
        images.select_when_loaded(wanted)
