"""The app's side of fleet triage: open the vulnerabilities view, land on a CVE, go to an image.

`EcrApp` inherits these. The view is installed once and kept: leaving it for an
image's findings, and coming back with `V`, finds it as it was, its fan-out
still running (or done) in the background.
"""

from __future__ import annotations

from typing import Any

from ecr_tui.core.fleet.scope import Scope, is_vulnerability_id
from ecr_tui.ui.app_host import AppHost

FLEET_SCREEN = "vulnerabilities"
# CVE-2023-38545, GHSA-xxxx-xxxx-xxxx, ALAS2-2023-2001, RHSA-2023:1234, ...


class FleetActions(AppHost):
    """Mixed into the app: the vulnerabilities view's entry points."""

    # What the view reads when it opens: every image. (Tests start it narrower.)
    fleet_scope = Scope()

    def action_vulnerabilities(self) -> None:
        """Open the vulnerabilities view (it starts reading the registry's findings)."""
        self._open_fleet()

    def open_vulnerability(self, cve_id: str) -> None:
        """Land on one vulnerability: every image in scope that has it.

        An id that is not one says so and changes nothing.
        """
        cve = cve_id.strip()
        if not is_vulnerability_id(cve):
            self.notify(
                f"Not a vulnerability id: {cve_id!r}. Try one such as CVE-2023-38545.",
                title="Nothing opened",
                severity="error",
            )
            return
        screen = self._open_fleet()
        if screen is None or screen.session is None:
            return
        from ecr_tui.ui.fleet.affected import AffectedScreen

        screen.land_on(cve)
        self.push_screen(AffectedScreen.for_vulnerability(screen.session, cve.upper()))

    def _open_fleet(self) -> Any:
        if self.service is None:
            self.notify(
                "Not connected to ECR yet: the view opens once the repositories list.",
                title="Vulnerabilities",
                severity="warning",
            )
            return None
        from ecr_tui.ui.fleet.view import VulnerabilitiesScreen

        if self.is_screen_installed(FLEET_SCREEN):
            installed: Any = self.get_screen(FLEET_SCREEN)
            if installed.service is not self.service and installed not in self.screen_stack:
                # Made for the context left: its findings are never shown as this one's.
                if installed.session is not None:
                    installed.session.cancel()
                self.uninstall_screen(FLEET_SCREEN)
        if not self.is_screen_installed(FLEET_SCREEN):
            view = VulnerabilitiesScreen(self.service, self.fleet_scope, reader=self.reader)
            self.install_screen(view, FLEET_SCREEN)
        screen = self.get_screen(FLEET_SCREEN)
        while len(self.screen_stack) > 1 and self.screen is not screen:
            self.pop_screen()
        if self.screen is not screen:
            self.push_screen(FLEET_SCREEN)
        return screen

    def go_to_fleet_image(self, repository: str, digest: str) -> None:
        """Leave the views for the panes, on this image and its findings."""
        account, separator, name = repository.rpartition(":")
        if separator:
            # Amazon Inspector's delegated administrator sees member accounts' images:
            # the panes show this context's registry only.
            notify: Any = getattr(self, "notify")  # noqa: B009 - the App's
            notify(
                f"{name} is in account {account}: switch to a context in that account "
                "(:profile NAME) to open it.",
                severity="warning",
                timeout=8,
            )
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        actions: Any = getattr(self, "repository_actions")  # noqa: B009 - EcrApp's
        actions.open_repository(repository, None, digest)
        self.call_after_refresh(self._focus_findings)

    def _focus_findings(self) -> None:
        tables = self.query("#findings-table")
        if tables:
            tables.first().focus()
