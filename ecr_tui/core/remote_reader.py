"""ECR listings read in a child process, so the UI process keeps its GIL.

A 100,000-image repository is 100 pages of 1,000 images; decoding each page's
JSON (one C call that holds the GIL for tens of milliseconds) and building its
records made key presses wait in the UI while a listing loaded. Here a child
process (`python -m ecr_tui.core.remote_reader`) owns a boto3 client, pages
through ECR and sends each page as compact tuples; the UI process only turns
tuples into records. The child also imports boto3 on the other core while the
UI process imports Textual, and can list the repositories before the first
frame is drawn.

`RemoteReader` offers the same reading calls as `EcrService`
(`repository_pages`, `image_pages`, `scan_report`, `account_info`), so panes
take either. Everything that changes ECR stays in the UI process's
`EcrService`: the child only reads.

Both directions carry frames: a 4-byte length, then a `marshal` dump (built-in
values only, loaded in C about 20 times faster than pickled records). Requests
are `(id, operation, arguments)`, `(id, "cancel", id)` or `(0, "connect",
settings)`; answers are `(id, kind, payload)` with kind "page" (rows of
built-in values), "value" (a pickled record), "done" or "error" (a `Problem`'s
title and detail, already explained here).
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from typing import IO, Any, Protocol

from ecr_tui.core.api_items import epoch_seconds, image_from_row, timestamp
from ecr_tui.core.botocore_loader import share_loader
from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import ContextSwitched as ContextSwitched  # re-exported
from ecr_tui.core.errors import UserFacingError
from ecr_tui.core.models import (
    AccountInfo,
    Image,
    ImageDetails,
    IndexManifest,
    RegistryScanning,
    Repository,
    RepositoryScanning,
    ScanReport,
    SeverityCounts,
)

_LENGTH = struct.Struct(">I")
# Contexts whose clients the child keeps (a few regions and profiles back and forth).
KEPT_CONTEXTS = 8


class Reader(Protocol):
    """What the panes read ECR through: an `EcrService`, or a `RemoteReader`."""

    def repository_pages(
        self, is_cancelled: Callable[[], bool] = ...
    ) -> Iterator[list[Repository]]: ...

    def image_pages(
        self, repository: str, is_cancelled: Callable[[], bool] = ...
    ) -> Iterator[list[Image]]: ...

    def scan_report(self, image: Image, is_cancelled: Callable[[], bool] = ...) -> ScanReport: ...

    def index_manifests(self, repository: str, digests: Sequence[str]) -> list[IndexManifest]: ...

    def registry_scanning(self) -> RegistryScanning: ...

    def repository_scanning(
        self, names: Sequence[str], scan_type: str
    ) -> list[RepositoryScanning]: ...


def write_frame(stream: IO[bytes], message: Any) -> None:
    """Send one message."""
    data = marshal.dumps(message)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next message, or None when the other side has gone."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(header)
    data = stream.read(length)
    if len(data) < length:
        return None
    return marshal.loads(data)


# -- records as plain tuples ---------------------------------------------------
# Pickled, the frozen dataclasses run __setstate__ in Python per record, and
# every datetime is a constructor call: 17 ms to load a 1,000-image page, all
# of it holding the UI's GIL. As tuples of built-in values (`api_items.ImageRow`),
# marshal loads a page in under a millisecond, and an Image is its row with the
# repository in front. Repositories (a few thousand at most) are dataclasses.


def repository_row(repository: Repository) -> tuple[Any, ...]:
    """A repository as built-in values only (its fields, in order)."""
    row = [getattr(repository, name) for name in Repository.__slots__]
    row[Repository.__slots__.index("created_at")] = epoch_seconds(repository.created_at)
    return tuple(row)


def repository_from_row(row: tuple[Any, ...]) -> Repository:
    """Undo `repository_row`."""
    values = list(row)
    at = Repository.__slots__.index("created_at")
    values[at] = timestamp(values[at])
    return Repository(*values)


# -- the child process ----------------------------------------------------------


class _Child:
    """Answers the UI's requests; each runs on a thread of its own."""

    def __init__(self, answers: IO[bytes]) -> None:
        self.answers = answers
        # Made while the UI starts (see `serve`): the first connection's clients
        # are made from it.
        self.warm_session: Future[Any] | None = None
        self.write_lock = threading.Lock()
        self.service: EcrService | None = None
        # The contexts connected to before, with their clients made: switching back
        # to one makes none again (its answers are the keys' first wait).
        self.services: dict[ConnectionSettings, EcrService] = {}
        self.cancelled: set[int] = set()
        # Listings page in parallel (repositories, images, findings at once).
        self.pool = ThreadPoolExecutor(
            max_workers=4, thread_name_prefix="reader", initializer=_lower_priority
        )

    def send(self, request: int, kind: str, payload: object) -> None:
        with self.write_lock:
            write_frame(self.answers, (request, kind, payload))

    def handle(self, request: int, operation: str, arguments: Any) -> None:
        if operation == "connect":
            settings = ConnectionSettings(**arguments)
            known = self.services.pop(settings, None)
            if known is None:
                # A profile is read with the session's config: only a session without
                # one may have been made before the settings were known.
                warm, self.warm_session = self.warm_session, None
                # Read-only whatever the app's mode: this process only ever lists.
                known = EcrService(
                    settings,
                    read_only=True,
                    botocore_session=_warmed(warm) if warm and settings.profile is None else None,
                    region_switch_from=self.service,
                )
                # The client now, before the first request asks for it.
                self.pool.submit(getattr, known, "ecr")
            self.service = self.services[settings] = known  # (the newest last)
            while len(self.services) > KEPT_CONTEXTS:
                del self.services[next(iter(self.services))]
        elif operation == "cancel":
            self.cancelled.add(arguments)
        elif operation in ("fleet_scan", "repositories"):
            # A thread of its own, not one of the listings' four: a fleet scan is minutes
            # long; the repositories' first page is what a start or a switch waits for,
            # read at full priority (the thread lowers its own after that page).
            arguments_ = (self.service, request, operation, arguments)
            threading.Thread(target=self.answer, args=arguments_, daemon=True).start()
        else:
            self.pool.submit(self.answer, self.service, request, operation, arguments)

    def answer(
        self, service: EcrService | None, request: int, operation: str, arguments: Any
    ) -> None:
        from ecr_tui.core.errors import Problem, explain_error

        def cancelled() -> bool:
            return request in self.cancelled

        try:
            if service is None:
                raise RuntimeError("not connected")
            if operation == "repositories":
                for number, repositories in enumerate(service.repository_pages(cancelled)):
                    self.send(request, "page", [repository_row(r) for r in repositories])
                    if number == 0:
                        _lower_priority()
            elif operation == "images":
                for rows in service.image_row_pages(arguments, cancelled):
                    self.send(request, "page", rows)
            elif operation == "fleet_scan":
                from ecr_tui.core.fleet.remote_scan import serve_fleet_scan

                send = lambda batch: self.send(request, "page", batch)  # noqa: E731
                serve_fleet_scan(service, arguments, send, cancelled)
            else:
                value = _value_of(service, operation, arguments, cancelled)
                self.send(request, "value", pickle.dumps(value))
            self.send(request, "done", None)
        except Exception as error:  # every failure goes back, explained, to the UI
            endpoint = service.settings.endpoint_url if service else None
            try:
                problem = explain_error(error, endpoint)
            except Exception:  # unanswered, the UI would say "loading…" for ever
                problem = Problem("Unexpected error", f"{type(error).__name__}: {error}")
            self.send(request, "error", (problem.title, problem.detail))
        finally:
            self.cancelled.discard(request)


def _value_of(
    service: EcrService, operation: str, arguments: Any, cancelled: Callable[[], bool]
) -> object:
    """What an operation answered by one "value" (not by pages) reads."""
    if operation == "scan_report":
        repository, digest, state, description = arguments
        image = Image(repository, digest, (), None, None, state, description)
        return service.scan_report(image, cancelled)
    if operation == "account":
        return service.account_info()
    if operation == "index_manifests":
        repository, digests = arguments
        return service.index_manifests(repository, digests)
    if operation == "image_details":
        from ecr_tui.core.image_details import read_image_details

        return read_image_details(service, *arguments)
    if operation == "registry_scanning":
        return service.registry_scanning()
    if operation == "repository_scanning":
        names, scan_type = arguments
        return service.repository_scanning(names, scan_type)
    if operation == "calls":
        return Counter(service.calls)
    raise ValueError(f"unknown operation {operation!r}")


def serve() -> None:
    """The child's main loop: requests on stdin until the UI closes it."""
    # Frames own the real stdout; a stray print would corrupt them.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    requests = sys.stdin.buffer
    child = _Child(answers)
    # Warm up while the UI starts: boto3 takes a few hundred milliseconds, and a
    # first client another 100 (reading ECR's and STS's models, lazy imports).
    # On a thread: the loop must see its stdin close at once, warm or not.
    child.warm_session = ThreadPoolExecutor(1, "warm-up").submit(_warm_botocore_session)

    while (message := read_frame(requests)) is not None:
        child.handle(*message)
    os._exit(0)  # the UI has gone: do not wait for listings nobody will read


def _lower_priority() -> None:
    """Listings are throughput work: when both want the CPU, the UI's key presses go
    first. Only the threads that list: on Linux a nice is a thread's own, and the
    warm-up, which the first repository row waits for, keeps its full priority."""
    os.nice(5)


def _warmed(warm: Future[Any]) -> Callable[[], Any]:
    """The warm session once made; None (a new one: only slower) if that failed."""

    def session() -> Any:
        try:
            return warm.result()
        except Exception:
            return None

    return session


def _warm_botocore_session() -> Any:
    """A botocore session that has made an ECR and an STS client once.

    Their models, endpoint rules and lazily imported modules are then loaded: the
    first real client, made from this session, costs a few milliseconds. The
    clients use placeholder keys and endpoint, so nothing looks for credentials
    and nothing is sent.
    """
    import boto3  # noqa: F401  (EcrService's sessions are boto3's)
    import botocore.session

    session = botocore.session.get_session()
    for service in ("ecr", "sts"):
        session.create_client(
            service,
            region_name="us-east-1",
            endpoint_url="http://127.0.0.1:9",
            aws_access_key_id="warm-up",
            aws_secret_access_key="warm-up",
        )
    # Its loader, models read, also serves the sessions of profiles (and switches).
    share_loader(session.get_component("data_loader"))
    return session


# -- the UI side ----------------------------------------------------------------


class ReaderStopped(UserFacingError):
    """The child process exited; the next request starts a new one."""

    def __init__(self) -> None:
        super().__init__(
            "ECR reader stopped",
            "the background process that reads ECR exited: press r to retry.",
        )


class RemoteReader:
    """The UI process's end: requests go out, pages come back on a reading thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._answers: dict[int, queue.SimpleQueue[tuple[str, Any]]] = {}
        self._prefetched: dict[Hashable, int] = {}
        self._settings: ConnectionSettings | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._start_process()

    def _start_process(self) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "ecr_tui.core.remote_reader"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the terminal belongs to the UI
            # A process group of its own: keys such as ctrl+c reach the UI, not the
            # child. Not a session of its own: where the kernel shares the CPU
            # between sessions (autogroups), that would make it a third party beside
            # the UI and the demo's endpoint, and its `nice` would count for nothing.
            process_group=0,
        )
        self._process = process
        threading.Thread(
            target=self._read_answers, args=(process,), name="reader-answers", daemon=True
        ).start()
        if self._settings is not None:
            self._send((0, "connect", asdict(self._settings)))

    def _read_answers(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        while (message := read_frame(process.stdout)) is not None:
            request, kind, payload = message
            answers = self._answers.get(request)
            if answers is not None:
                answers.put((kind, payload))
        with self._lock:
            if self._process is process:
                self._process = None
            waiting = list(self._answers.values())
        for answers in waiting:
            answers.put(("stopped", None))

    def _send(self, message: tuple[int, str, object]) -> None:
        process = self._process
        if process is None or process.stdin is None:
            raise ReaderStopped
        try:
            write_frame(process.stdin, message)
        except (BrokenPipeError, OSError, ValueError) as error:
            raise ReaderStopped() from error

    def connect(self, settings: ConnectionSettings) -> None:
        """Read from this account and region from now on (the same child process).

        Questions asked before and not yet answered end in `ContextSwitched`.
        """
        with self._lock:
            if settings == self._settings:
                return
            self._settings = settings
            # Asked ahead for the previous context, and nobody took them: dropped,
            # and the child stops paging them.
            for request in self._prefetched.values():
                del self._answers[request]
                if self._process is not None:
                    with contextlib.suppress(ReaderStopped):
                        self._send((request, "cancel", request))
            self._prefetched.clear()
            # Every question still awaited was the previous context's: its answer,
            # early or late, must not pass for the new context's.
            for answers in self._answers.values():
                answers.put(("switched", None))
            if self._process is None:
                self._start_process()
            else:
                self._send((0, "connect", asdict(settings)))

    def prefetch(self, operation: str, arguments: object = None) -> None:
        """Ask now; the next call with the same question takes the answer."""
        with self._lock:
            if (operation, arguments) not in self._prefetched:
                self._prefetched[(operation, arguments)] = self._start(operation, arguments)

    def _start(self, operation: str, arguments: object) -> int:
        request = next(self._ids)
        self._answers[request] = queue.SimpleQueue()
        if self._process is None:
            self._start_process()
        self._send((request, operation, arguments))
        return request

    def _answer(
        self,
        operation: str,
        arguments: object,
        is_cancelled: Callable[[], bool],
        poll: float = 0.1,  # seconds between looks at `is_cancelled`
    ) -> Iterator[tuple[str, Any]]:
        with self._lock:
            request = self._prefetched.pop((operation, arguments), None)
            if request is None:
                request = self._start(operation, arguments)
            answers = self._answers[request]
        finished = False
        try:
            while not is_cancelled():
                try:
                    kind, payload = answers.get(timeout=poll)
                except queue.Empty:
                    continue
                if kind == "done":
                    finished = True
                    return
                if kind == "error":
                    finished = True
                    raise UserFacingError(*payload)
                if kind == "stopped":
                    finished = True
                    raise ReaderStopped
                if kind == "switched":
                    raise ContextSwitched
                yield kind, payload
        finally:
            with self._lock:
                del self._answers[request]
                if not finished:
                    with contextlib.suppress(ReaderStopped):
                        self._send((request, "cancel", request))

    def _value(self, operation: str, arguments: object = None) -> Any:
        for _, value in self._answer(operation, arguments, lambda: False):
            return pickle.loads(value)
        raise ReaderStopped

    # -- the calls panes make -----------------------------------------------------

    def repository_pages(
        self, is_cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[list[Repository]]:
        """Every repository, a page at a time."""
        for _, rows in self._answer("repositories", None, is_cancelled):
            yield [repository_from_row(row) for row in rows]

    def image_pages(
        self, repository: str, is_cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[list[Image]]:
        """A repository's images, a page at a time."""
        for _, rows in self._answer("images", repository, is_cancelled):
            yield [image_from_row(repository, row) for row in rows]

    def scan_report(
        self, image: Image, is_cancelled: Callable[[], bool] = lambda: False
    ) -> ScanReport:
        """An image's findings (none, if cancelled before they came)."""
        arguments = (image.repository, image.digest, image.scan_status, image.scan_description)
        for _, report in self._answer("scan_report", arguments, is_cancelled):
            return pickle.loads(report)  # type: ignore[no-any-return]
        return ScanReport(
            image.repository, image.digest, image.scan_state, "", None, SeverityCounts(), ()
        )

    def fleet_scan(
        self, arguments: tuple[Any, ...], is_cancelled: Callable[[], bool]
    ) -> Iterator[Any]:
        """A fan-out run in the child: its batches (see `fleet.remote_scan`).

        A cancel is passed on within 20 ms: the child stops calling at once.
        """
        for _, batch in self._answer("fleet_scan", arguments, is_cancelled, poll=0.02):
            yield batch

    def account_info(self) -> AccountInfo:
        """Who the credentials belong to, and where."""
        return self._value("account")  # type: ignore[no-any-return]

    def index_manifests(self, repository: str, digests: Sequence[str]) -> list[IndexManifest]:
        """What these indexes list (BatchGetImage, batched; see `EcrService`)."""
        return self._value("index_manifests", (repository, tuple(digests)))  # type: ignore[no-any-return]

    def image_details(self, repository: str, digest: str) -> ImageDetails:
        """Everything ECR says about one image, for the details view."""
        return self._value("image_details", (repository, digest))  # type: ignore[no-any-return]

    def registry_scanning(self) -> RegistryScanning:
        """The registry's scanning configuration."""
        return self._value("registry_scanning")  # type: ignore[no-any-return]

    def repository_scanning(self, names: Sequence[str], scan_type: str) -> list[RepositoryScanning]:
        """How each repository is scanned (25 names a call)."""
        return self._value("repository_scanning", (tuple(names), scan_type))  # type: ignore[no-any-return]

    def call_count(self, operation: str, repository: str | None = None) -> int:
        """ECR calls the child made of `operation`, for one repository or all."""
        calls: Counter[tuple[str, str]] = self._value("calls")
        return sum(
            count
            for (name, about), count in calls.items()
            if name == operation and repository in (None, about)
        )

    def close(self) -> None:
        """Stop the child (it also stops by itself when this process exits)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=2)
            if process.poll() is None:
                process.kill()


if __name__ == "__main__":
    serve()
