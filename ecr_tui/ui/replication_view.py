"""The regions an image is replicated to, one key away (R in the images pane).

A filterable list of the destinations the registry's replication rules name for
the repository, each with the image's copy's status there; choosing one of this
account's regions switches to it and opens the same repository and image.
"""

from __future__ import annotations

import functools

from ecr_tui.core.models import Image, Repository
from ecr_tui.core.replication import Replication, read_replication
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.background import run_then

STATUS_WORDS = {
    "COMPLETE": "copied",
    "IN_PROGRESS": "being copied",
    "FAILED": "copy failed",
}


def show_replication(app: AppHost, repository: Repository, image: Image) -> None:
    """Read the rules and the image's statuses in the background, then list them."""
    service = app.service
    if service is None:
        app.notify("Not connected yet: try again in a moment.", severity="warning")
        return
    run_then(
        app,
        lambda: read_replication(service, repository.name, image.digest),
        lambda replication: _list(app, repository, image, replication),
        group="replication",
        wait_for_ui=False,
        exclusive=True,
        description=f"Reading where {repository.name} is replicated",
    )


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


def _list(app: AppHost, repository: Repository, image: Image, replication: Replication) -> None:
    places = replication.places()
    if not places:
        why = (
            f"the registry's rules could not be read ({replication.rules_problem})"
            if replication.destinations is None
            else "no replication rule of this registry covers it"
        )
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
            (f"{region}  {registry}", go, destination_help(replication, region, registry, own))
        )
    label = image.tags[0] if image.tags else image.short_digest
    unknown = " (rules unknown: statuses only)" if replication.destinations is None else ""
    app.search_commands(commands, placeholder=f"{repository.name}:{label} replicated to…{unknown}")
