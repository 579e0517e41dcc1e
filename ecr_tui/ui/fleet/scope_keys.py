"""The vulnerabilities view's scope keys: each one changes one filter, and says so.

Findings filters (minimum severity, fix available, exploit available) refilter
what was read; image filters (tagged only, newest N, last pull, repository
pattern) read again, for other images.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from ecr_tui.core.findings import next_min_severity
from ecr_tui.core.fleet.scope import Scope

if TYPE_CHECKING:
    from textual.app import App

NEWEST = (None, 1, 3, 5, 10)  # `n`: the newest N images of each repository (None: all)
PULLED_DAYS = (None, 7, 30, 90)  # `d`: pulled in the last N days (None: whenever)


class ScopeKeys:
    """Mixed into the view: `scope` and `change_scope` are the view's."""

    scope: Scope
    app: App[object]

    SCOPE_BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "cycle_min_severity", "Min severity", id="fleet.min_severity"),
        Binding("f", "toggle_fixable", "Fixable", id="fleet.fixable"),
        Binding("e", "toggle_exploitable", "Exploit known", show=False, id="fleet.exploit"),
        Binding("t", "toggle_tagged", "Tagged only", show=False, id="fleet.tagged"),
        Binding("n", "cycle_newest", "Newest N per repository", show=False, id="fleet.newest"),
        Binding("d", "cycle_pulled", "Pulled in the last N days", show=False, id="fleet.pulled"),
        Binding("p", "repository_pattern", "Repository pattern", show=False, id="fleet.pattern"),
    ]

    def change_scope(self, scope: Scope) -> None:
        raise NotImplementedError

    def action_cycle_min_severity(self) -> None:
        """Hide rated findings below LOW, MEDIUM, HIGH, CRITICAL in turn."""
        severity = next_min_severity(self.scope.min_severity)
        self.change_scope(replace(self.scope, min_severity=severity))

    def action_toggle_fixable(self) -> None:
        """Only findings with a fixed version (basic scanning never says: none then)."""
        self.change_scope(replace(self.scope, fixable=not self.scope.fixable))

    def action_toggle_exploitable(self) -> None:
        """Only findings with a known exploit (enhanced scanning says)."""
        self.change_scope(replace(self.scope, exploitable=not self.scope.exploitable))

    def action_toggle_tagged(self) -> None:
        """Only tagged images (and the platforms of tagged indexes)."""
        self.change_scope(replace(self.scope, tagged_only=not self.scope.tagged_only))

    def action_cycle_newest(self) -> None:
        """All images, then the newest 1, 3, 5, 10 of each repository."""
        newest = _next_step(NEWEST, self.scope.newest_per_repository)
        self.change_scope(replace(self.scope, newest_per_repository=newest))

    def action_cycle_pulled(self) -> None:
        """Whenever pulled, then pulled in the last 7, 30, 90 days."""
        days = _next_step(PULLED_DAYS, self.scope.pulled_within_days)
        self.change_scope(replace(self.scope, pulled_within_days=days))

    def action_repository_pattern(self) -> None:
        """Ask for a repository name pattern (a glob: team-a/*); empty: every repository."""
        from ecr_tui.ui.dialogs.text import TextInputScreen

        def apply(pattern: str | None) -> None:
            if pattern is None:
                return  # cancelled: nothing changes
            self.change_scope(replace(self.scope, repository_pattern=pattern))

        self.app.push_screen(
            TextInputScreen(
                "Repositories",
                "A name pattern: team-a/*, *-api, web/?? (empty: every repository)",
                self.scope.repository_pattern,
                validate=pattern_problem,
            ),
            apply,
        )


def pattern_problem(pattern: str) -> str | None:
    """Why a repository pattern cannot be used, or None."""
    if pattern.count("[") != pattern.count("]"):
        return "unbalanced brackets: a character class needs its opening and closing bracket"
    if any(c.isspace() for c in pattern):
        return "repository names have no spaces"
    return None


def _next_step(steps: tuple[int | None, ...], current: float | None) -> int | None:
    """The step after `current` (None: no limit, first); from a value between steps, the
    next one above it; after the last, no limit again."""
    limits = [step for step in steps if step is not None]
    if current is None:
        return limits[0]
    return next((step for step in limits if step > current), None)
