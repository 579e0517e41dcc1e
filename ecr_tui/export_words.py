"""What `ecr-tui export` says when the scope names nothing, or a call fails: in a
command line's words (the app's messages say "press r"; a script cannot)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ecr_tui.core.errors import explain_error
from ecr_tui.core.fleet.scope import lowercase_hint, no_repository_matches

if TYPE_CHECKING:
    from ecr_tui.core.ecr import EcrService
    from ecr_tui.core.fleet.scope import Scope

# The app's "press r ..." next steps, and what a command line does instead.
_PRESS_R = re.compile(r"press r(?: to (?:retry|try again|refresh(?: the list)?))?")


# Next steps that name the app's panes or lists, as a command line takes them.
_APP_STEPS = {
    "press r to refresh the list": "list them with `aws ecr describe-repositories`",
    "press r to refresh": "list its images with `aws ecr describe-images`",
    "start one from the images pane": "start one with `aws ecr start-image-scan`",
}


def command_line_words(text: str) -> str:
    """`text` (an app message) with its "press r" next step as a command line's."""
    for app_step, command_step in _APP_STEPS.items():
        text = text.replace(app_step, command_step)
    return _PRESS_R.sub("run the command again", text)


def command_line_problem(error: BaseException | str, endpoint: str | None = None) -> str:
    """A failure (or the app's words for one) as the export says it on stderr."""
    problem = error if isinstance(error, str) else str(explain_error(error, endpoint))
    return command_line_words(problem)


def no_repository_message(service: EcrService, scope: Scope, account: str, region: str) -> str:
    """Why no image is in scope when the scope names no repository that exists ("" when
    some does: then the scope's repositories hold no image, which is an answer).

    Asks ECR (one DescribeRepositories, or the listing for a pattern): called only when
    nothing was in scope, so a clean result costs no call.
    """
    where = f"account {account or 'unknown'}, region {region}"
    profile = f" --profile {service.settings.profile}" if service.settings.profile else ""
    listing = f"list them with `aws ecr describe-repositories --region {region}{profile}`"
    if scope.repository and not scope.keeps_repository(scope.repository):
        return f"{no_repository_matches(scope.repository_pattern)} among {scope.repository}"
    if scope.repository:
        try:
            service.repository(scope.repository)
        except Exception as error:  # the code says whether it is missing; else not our answer
            code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
            if code == "RepositoryNotFoundException":
                return (
                    f"no repository {scope.repository}{lowercase_hint(scope.repository)} "
                    f"in {where}: {listing}, "
                    "or check --region and --profile"
                )
        return ""
    try:
        names = [r.name for page in service.repository_pages(lambda: False) for r in page]
    except Exception:  # the listing fails: the export's own error says why
        return ""
    if any(scope.keeps_repository(name) for name in names):
        return ""
    return f"{no_repository_matches(scope.repository_pattern)} in {where}: {listing}"
