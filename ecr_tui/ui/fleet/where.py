"""Which account and region a vulnerabilities view (and its exports) is about.

The view replaces the whole screen, the app's status line with it: its title
line says the context instead, as the status line does ("profile dev · account
123456789012 · us-east-1"). The view belongs to the context it was opened in
(a context switch makes a new one), so the words are that service's, never
the current context's when it is another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text

if TYPE_CHECKING:
    from ecr_tui.core.ecr import EcrService


@dataclass(frozen=True, slots=True)
class ViewContext:
    """The profile, account and region a view's findings come from ("" when not known)."""

    profile: str
    account: str
    region: str

    def words(self) -> str:
        """ "profile dev · account 123456789012 · us-east-1", unknown said as unknown."""
        parts = [f"profile {self.profile}"] if self.profile else []
        parts.append(f"account {self.account or 'unknown'}")
        parts.append(self.region or "region unknown")
        return " · ".join(parts)

    def short(self) -> str:
        """ "dev · 123456789012 · us-east-1": the same, in fewer columns."""
        parts = [self.profile] if self.profile else []
        return " · ".join([*parts, self.account or "account ?", self.region or "region ?"])


def view_context(app: Any, service: EcrService) -> ViewContext:
    """The context `service` reads, as the app's status line names it while it is current."""
    settings = service.settings
    account, region = "", settings.region or ""
    if app.service is service:  # the current context: what the status line says
        shown = app.shown_account()
        if shown is not None:
            account, region = shown.account_id, shown.region or region
    return ViewContext(settings.profile or "", account, region)


def title_line(context: ViewContext, rest: str, width: int) -> Text:
    """The context, then `rest` cut to what fits in `width` cells: never the context,
    which is said in fewer words before `rest` is cut."""
    head = context.words()
    if width <= 0:  # not laid out yet: everything (the next refresh fits it)
        width = len(head) + 3 + len(rest)
    if len(head) + 3 + len(rest) > width:
        head = context.short()
    text = Text(head, "bold")
    room = width - len(head) - 3
    if room >= 2:
        shown = rest if len(rest) <= room else rest[: room - 1].rstrip() + "…"
        text.append(" │ ", "dim")
        text.append(shown)
    return text
