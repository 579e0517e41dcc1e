"""The regions an image is replicated to, one key away (R in the images pane).

A filterable list of the destinations the registry's replication rules name for
the repository, each with the image's copy's status there; choosing one of this
account's regions switches to it and opens the same repository and image.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, SimpleCommand, SimpleProvider
from textual.screen import Screen
from textual.widgets import Input

from ecr_tui.core.models import Image, Repository
from ecr_tui.core.replication import Replication, read_replication
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.background import run_then

STATUS_WORDS = {
    "COMPLETE": "copied",
    "IN_PROGRESS": "being copied",
    "FAILED": "copy failed",
}


class AwaitedCommands(SimpleProvider):
    """The palette's commands, not known yet: its searches wait until `fill` gives them.

    The palette opens on the key, saying what it reads; keys typed next land in its
    search box, as they would once it had opened (a second R is a letter there).
    """

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__(screen, [])
        self.commands: list[SimpleCommand] = []
        self.ready = asyncio.Event()

    def fill(self, commands: list[SimpleCommand]) -> None:
        """The commands are known: the searches under way answer with them."""
        self.commands = commands
        self.ready.set()

    async def search(self, query: str) -> Hits:
        """The commands matching `query`, once known."""
        await self.ready.wait()
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands:
            if (match := matcher.match(name)) > 0:
                yield Hit(match, matcher.highlight(name), callback, help=help_text)

    async def discover(self) -> Hits:
        """Every command, once known (the list before anything is typed)."""
        await self.ready.wait()
        for name, callback, help_text in self.commands:
            yield DiscoveryHit(name, callback, help=help_text)


def show_replication(app: AppHost, repository: Repository, image: Image) -> None:
    """Open the list at once, read the rules and the image's statuses in the
    background, then fill it (or close it, saying why there is nothing to list)."""
    service = app.service
    if service is None:
        app.notify("Not connected yet: try again in a moment.", severity="warning")
        return
    label = image.tags[0] if image.tags else image.short_digest
    title = f"{repository.name}:{label} replicated to…"
    commands = AwaitedCommands(app.screen)
    # (An instance, as App.search_commands passes one: its __call__ returns itself.)
    palette = CommandPalette(
        providers=[commands],  # type: ignore[list-item]
        placeholder=f"{title} (reading replication…)",
    )
    app.push_screen(palette)

    def read() -> Replication:
        try:
            return read_replication(service, repository.name, image.digest)
        except BaseException:  # reported by the app's failure handler; the list goes
            app.call_from_thread(_close, palette)
            raise

    run_then(
        app,
        read,
        lambda replication: _fill(app, palette, commands, title, repository, image, replication),
        group="replication",
        wait_for_ui=False,
        exclusive=True,
        description=f"Reading where {repository.name} is replicated",
    )


def _close(palette: CommandPalette) -> None:
    if palette.is_attached and palette.is_active:
        palette.dismiss()


def destination_help(replication: Replication, region: str, registry: str, own: str) -> str:
    """What the list says under one destination."""
    status = replication.status_in(region, registry)
    if status is None:
        words = "no copy of this image (pushed before the rule, or not yet attempted)"
    else:
        words = STATUS_WORDS.get(status.status, status.status.lower())
        if status.failure_code:
            words += f" ({status.failure_code})"
    if registry != own:
        return f"account {registry}: {words}; switch to that account's profile to browse it"
    return f"{words} · enter opens it there"


def _fill(
    app: AppHost,
    palette: CommandPalette,
    awaited: AwaitedCommands,
    title: str,
    repository: Repository,
    image: Image,
    replication: Replication,
) -> None:
    if not palette.is_attached:
        return  # closed meanwhile
    places = replication.places()
    if not places:
        why = (
            f"the registry's rules could not be read ({replication.rules_problem})"
            if replication.destinations is None
            else "no replication rule of this registry covers it"
        )
        _close(palette)
        app.notify(f"{repository.name} is not replicated: {why}.", title="Replication")
        return
    own = repository.registry_id
    commands = []
    for region, registry in places:
        if registry == own:
            go = functools.partial(
                app.contexts.go_to_in_region, region, repository.name, None, image.digest
            )
        else:
            go = functools.partial(
                app.notify,
                f"{region} of account {registry}: switch to a profile of that account first.",
                title="Replication",
            )
        commands.append(
            SimpleCommand(
                f"{region}  {registry}", go, destination_help(replication, region, registry, own)
            )
        )
    unknown = " (rules unknown: statuses only)" if replication.destinations is None else ""
    palette.query_one(Input).placeholder = title + unknown
    awaited.fill(commands)
