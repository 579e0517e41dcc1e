"""The local ECR endpoint behind `ecr-tui --demo`, the tests and the benchmarks.

`LocalEcr` serves moto over real HTTP on a background thread (all of ECR, STS
for GetCallerIdentity, and the rest), with `ecr_tui.demo.moto_patches` in
front where moto's ECR does not behave like the real service. It can be seeded
with a dataset from `ecr_tui.demo.data`, straight into moto's backend.

The `record_*` and `check_push_allowed` hooks let a real registry in front of
Docker (`ecr_tui.demo.registry`) keep this endpoint informed, in-process.
"""

from __future__ import annotations

import gc
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from moto.backends import get_backend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from ecr_tui.demo.data.dataset import Dataset
from ecr_tui.demo.endpoint_server import EndpointServer
from ecr_tui.demo.moto_patches.ecr_image import EcrImage, find_image
from ecr_tui.demo.moto_patches.gateway import Gateway
from ecr_tui.demo.moto_patches.protocol import EcrError
from ecr_tui.demo.moto_patches.pushing import immutable_message, store_image, tag_is_immutable
from ecr_tui.demo.moto_patches.seeding import (
    create_seeded_repository,
    seed_registry_scanning,
    seeded_image,
)
from ecr_tui.demo.moto_patches.state import REQUEST_ACCOUNT, EcrState
from ecr_tui.demo.moto_patches.storage import pull_refusal

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

# moto state is per process, keyed by account: two endpoints on one account would share it.
_ACCOUNTS_IN_USE: set[str] = set()
_ACCOUNTS_LOCK = threading.Lock()


class LocalEcr:
    """An ECR endpoint on a local port: moto, made to behave like the real service.

    One per account and process (moto's state is global). Use `start()` and
    `stop()`, or a `with` block. `scan_seconds` is how long a scan runs,
    `restore_seconds` how long a restore from the archive takes;
    `clock` is "now" for scans, pushes, pulls and token expiry, and must agree
    with the `now` a seeded dataset was built for (a dataset built for the
    future shows its finished scans as still running).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        *,
        scan_seconds: float = 3.0,
        restore_seconds: float = 30.0,
        password: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
        self.account_id = account_id
        self.region = region
        password = password or secrets.token_urlsafe(24)
        self._ecr = EcrState(account_id, region, scan_seconds, password, clock, restore_seconds)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._gateway: Gateway | None = None
        self._front: EndpointServer | None = None
        self._seeded: list[Any] = []  # moto's repositories, between the two halves of seed()

    @property
    def url(self) -> str:
        """The endpoint URL, e.g. http://127.0.0.1:PORT (once started)."""
        if self._server is None:
            raise RuntimeError("LocalEcr is not started")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def lock(self) -> threading.RLock:
        """Held around every read and change of the ECR state."""
        return self._ecr.lock

    def start(self, front: EndpointServer | None = None) -> str:
        """Serve on a background thread with a fresh, empty registry; the URL.

        With `front`, a server already listening (see `EndpointServer`), serve
        through it instead: it answers alone until `take_over` (call it once the
        repositories are seeded, so no request sees an empty registry).
        """
        if self._server is not None:
            return self.url
        with _ACCOUNTS_LOCK:
            if self.account_id in _ACCOUNTS_IN_USE:
                raise RuntimeError(f"a LocalEcr already serves account {self.account_id}")
            _ACCOUNTS_IN_USE.add(self.account_id)
        try:
            # werkzeug logs every request and error; nothing may reach a terminal.
            werkzeug_log = logging.getLogger("werkzeug")
            werkzeug_log.setLevel(logging.CRITICAL)
            # A handler of its own: without one, werkzeug makes its coloured handler
            # on the first request, importing colorama on a request thread while
            # others import too.
            if not werkzeug_log.handlers:
                werkzeug_log.addHandler(logging.NullHandler())
            get_backend("ecr")[self.account_id].reset()
            self._gateway = Gateway(self._ecr, DomainDispatcherApplication(create_backend_app))
            if front is not None:
                self._front = front
                self._server, self._thread = front.server, front.thread
                return self.url
            self._server = make_server(
                self.host,
                self.port,
                self._gateway,
                threaded=True,
                request_handler=MotoRequestHandler,
            )
        except BaseException:
            with _ACCOUNTS_LOCK:
                _ACCOUNTS_IN_USE.discard(self.account_id)
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-ecr", daemon=True
        )
        self._thread.start()
        return self.url

    def take_over(self) -> None:
        """Answer every request the front held or gets from now on (see `start`)."""
        if self._front is None or self._gateway is None:
            raise RuntimeError("take_over() is for a LocalEcr started behind a front")
        self._front.take_over(self._gateway, self, MotoRequestHandler)
        if self._front.listed.is_set():  # the front listed the repositories already
            self._ecr.repositories_listed.set()

    def stop(self) -> None:
        """Stop serving, free the port and forget the registry's content."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        if thread is not None:
            thread.join()
        server.server_close()
        self._server = self._thread = None
        self._gateway = self._front = None
        get_backend("ecr")[self.account_id].reset()  # frees what was seeded
        with _ACCOUNTS_LOCK:
            _ACCOUNTS_IN_USE.discard(self.account_id)

    def __enter__(self) -> LocalEcr:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- content ------------------------------------------------------------------------------

    def seed(self, dataset: Dataset) -> None:
        """Load a dataset straight into the backend (no HTTP: 100,000 images in seconds).

        Call it after `start()`, which begins with an empty registry.
        """
        self.seed_repositories(dataset)
        self.seed_images(dataset)

    def seed_repositories(self, dataset: Dataset) -> None:
        """The first half of `seed`: the repositories, empty.

        Until `seed_images` is done, the endpoint lists repositories and holds
        every other request, so no answer is ever made of half the images.
        """
        if self._server is None:
            raise RuntimeError("start() the LocalEcr before seeding it")
        self._ecr.images_seeded.clear()
        backend = self._ecr.backend()
        with self.lock:
            seed_registry_scanning(backend, dataset.scanning_rules())
            self._seeded = [
                create_seeded_repository(self._ecr, backend, spec) for spec in dataset.repositories
            ]

    def seed_images(self, dataset: Dataset, after_first_listing: float = 0.0) -> int:
        """The second half of `seed`: every repository's images; then all requests are answered.

        With `after_first_listing`, it first waits (at most that many seconds) until a
        DescribeRepositories has been answered: seeding holds the GIL for a second or
        more, and the app's first listing would wait behind it.
        Returns how many images (manifests) were stored: a multi-platform push stores several.
        """
        self._ecr.repositories_listed.wait(after_first_listing)
        # Every object made here lives on: collecting while making them is wasted work
        # (a third of the seeding time at 100,000 images).
        collecting = gc.isenabled()
        gc.disable()
        stored = 0
        try:
            for repository, spec in zip(self._seeded, dataset.repositories, strict=True):
                images = [seeded_image(repository, s) for s in spec.images()]
                # Taken briefly, so that the repositories are listed meanwhile.
                with self.lock:
                    repository.images.extend(images)
                stored += len(images)
        finally:
            if collecting:
                gc.enable()
            self._seeded = []
            self._ecr.images_seeded.set()
        return stored

    def expect_contexts(self, contexts: Sequence[tuple[str, str]]) -> None:
        """Hold requests for these (account, region) pairs until `seed_contexts` is done."""
        self._ecr.seeding_contexts = frozenset(contexts)
        self._ecr.contexts_seeded.clear()

    def seed_contexts(self, contexts: Sequence[tuple[str, str, Dataset]]) -> None:
        """Other accounts' and regions' registries: (account, region, dataset) each.

        Until they are all seeded, requests for them wait (see Gateway); requests for
        our own account and region do not.
        """
        ecr = self._ecr
        self.expect_contexts([(account, region) for account, region, _ in contexts])
        try:
            for account, region, dataset in contexts:
                token = REQUEST_ACCOUNT.set(account)  # the account the models are made for
                try:
                    self._seed_context(get_backend("ecr")[account][region], dataset)
                finally:
                    REQUEST_ACCOUNT.reset(token)
        finally:
            ecr.contexts_seeded.set()
            ecr.seeding_contexts = frozenset()

    def configure_replication(self, configuration: dict[str, object]) -> None:
        """Our registry's replication rules (as PutReplicationConfiguration takes them)."""
        with self.lock:
            self._ecr.backend().put_replication_configuration(configuration)

    def administer_inspector(self, members: Sequence[str]) -> None:
        """Make our account Amazon Inspector's delegated administrator for `members`:
        its ListFindings and ListCoverage cover theirs too (see moto_patches.inspector)."""
        self._ecr.inspector_members = tuple(members)

    def _seed_context(self, backend: Any, dataset: Dataset) -> None:
        with self.lock:
            seed_registry_scanning(backend, dataset.scanning_rules())
            for spec in dataset.repositories:
                repository = create_seeded_repository(self._ecr, backend, spec)
                repository.images.extend(seeded_image(repository, s) for s in spec.images())

    # -- hooks for the registry behind the demo --------------------------------------------------

    def attach_registry(self, host: str, password: str) -> None:
        """Put a real registry at `host` behind the endpoint.

        From now on repository URIs are `host/name`, and GetAuthorizationToken
        hands out `AWS:password` for `http://host`.
        """
        with self.lock:
            self._ecr.registry_host = host
            self._ecr.password = password
            for backend in get_backend("ecr")[self.account_id].values():
                for repository in backend.repositories.values():
                    self._ecr.adopt_repository(repository)

    def check_push_allowed(self, repository: str, tag: str | None) -> str | None:
        """None if ECR would take a push of `repository:tag`, else ECR's reason.

        A tag already in an immutable repository is refused whatever is pushed,
        as the registry cannot tell yet which manifest is coming.
        """
        with self.lock:
            found = self._ecr.backend().repositories.get(repository)
            if found is None:
                return (
                    f"The repository with name '{repository}' does not exist in the registry "
                    f"with id '{self.account_id}'"
                )
            taken = tag is not None and any(tag in image.image_tags for image in found.images)
            if taken and tag is not None and tag_is_immutable(found, tag):
                return immutable_message(found, tag)
            return None

    def record_push(
        self, repository: str, tag: str | None, manifest_bytes: bytes, media_type: str
    ) -> str:
        """Register a manifest the registry accepted, as ECR would; its digest.

        The digest is sha256 of the bytes, the size the sum of the layers, the
        push time now; scan-on-push starts a scan; the tag moves off any older
        image. Pushing the same manifest and tag again changes nothing.
        Raises EcrError (RepositoryNotFoundException, ImageTagAlreadyExistsException).
        """
        with self.lock:
            found = self._ecr.repository(self._ecr.backend(), repository)
            image = store_image(
                self._ecr,
                found,
                manifest_bytes.decode(),
                media_type,
                tag or None,
                None,
                self._ecr.clock(),
                True,
            )
            return str(image.image_digest)

    def check_pull_allowed(self, repository: str, reference: str) -> str | None:
        """None if ECR would serve `repository` at `reference` (tag or digest), else why not.

        An archived image cannot be pulled (ECR answers 404); a manifest ECR does
        not know is left to the registry to answer.
        """
        with self.lock:
            image = self._image_at(repository, reference)
            return None if image is None else pull_refusal(image, self._ecr.clock())

    def record_pull(self, repository: str, reference: str) -> bool:
        """Note a pull of `repository` by tag or digest; False if there is no such image."""
        with self.lock:
            image = self._image_at(repository, reference)
            if image is None:
                return False
            image.last_pulled_at = self._ecr.clock()
            return True

    def _image_at(self, repository: str, reference: str) -> EcrImage | None:
        """The image `reference` (a tag or a digest) names in `repository`, or None
        when ECR knows no such repository or image. Call it holding the lock."""
        key = "imageDigest" if reference.startswith("sha256:") else "imageTag"
        try:
            found = self._ecr.repository(self._ecr.backend(), repository)
            return find_image(found, {key: reference})
        except EcrError:
            return None
