"""`attach_demo_registry`: a registry and its front with a fresh password, behind the endpoint."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ecr_tui.demo.registry.front import RegistryFront, RegistryHooks
from ecr_tui.demo.registry.server import RegistryServer


class AttachableEcr(RegistryHooks, Protocol):
    """A local ECR endpoint that can hand out logins to a registry."""

    def attach_registry(self, host: str, password: str) -> None:
        """Make repository URIs and authorization tokens point at `host`."""


@dataclass
class DemoRegistry:
    """The registry and its front, as the local ECR endpoint hands them out."""

    server: RegistryServer
    front: RegistryFront
    password: str = field(repr=False)

    @property
    def host(self) -> str:
        """Where Docker pushes and pulls: the front's 127.0.0.1:PORT."""
        return self.front.host

    def close(self) -> None:
        """Stop the front, then the registry."""
        self.front.close()
        self.server.close()

    def __enter__(self) -> DemoRegistry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def start_registry_server(workdir: Path | None = None) -> RegistryServer:
    """Start the registry alone, with a fresh password (it takes a few tenths of a second)."""
    server = RegistryServer(secrets.token_urlsafe(24), workdir)
    server.start()
    return server


def attach_demo_registry(
    local_ecr: AttachableEcr, workdir: Path | None = None, server: RegistryServer | None = None
) -> DemoRegistry:
    """Put a registry (`server`, or a new one) behind a front, and attach them to `local_ecr`."""
    server = server or start_registry_server(workdir)
    password = server.password
    front = RegistryFront(server.host, local_ecr, password)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(server.close)
        front.start()
        cleanup.callback(front.close)
        local_ecr.attach_registry(front.host, password)
        cleanup.pop_all()
    return DemoRegistry(server, front, password)
