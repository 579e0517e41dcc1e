"""Small helpers every administration module shares: ECR's error code, a short digest,
and the repository-name and digest checks run before the first request."""

from __future__ import annotations

from botocore.exceptions import ClientError

from ecr_tui.core.errors import UserFacingError
from ecr_tui.core.names import digest_problem, repository_name_problem


def error_code(error: ClientError) -> str:
    """The code of an AWS error, such as RepositoryNotEmptyException; empty if none."""
    return str(error.response.get("Error", {}).get("Code", ""))


def short_digest(digest: str) -> str:
    """The first 12 hex digits of a digest, as messages name an image."""
    return digest.removeprefix("sha256:")[:12]


def check_repository(name: str, title: str) -> None:
    """Raise a `UserFacingError` titled `title` when `name` is not a repository name."""
    problem = repository_name_problem(name)
    if problem:
        raise UserFacingError(title, f"repository name {name!r}: {problem}")


def check_digest(digest: str, title: str) -> None:
    """Raise a `UserFacingError` titled `title` when `digest` is not an image digest."""
    problem = digest_problem(digest)
    if problem:
        raise UserFacingError(title, f"digest {digest!r}: {problem}")
