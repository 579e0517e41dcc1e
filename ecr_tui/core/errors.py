"""Turn AWS and Docker failures into messages that say what happened and what to do next.

Everything the UI shows about a failed call goes through `explain_error`, so a
botocore or docker-py traceback never reaches the screen and no credential ever
appears in a message (botocore's messages carry none; core/docker and we add none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecr_tui.core.iam import parse_access_denied
from ecr_tui.core.read_only import ReadOnlyRefusal

if TYPE_CHECKING:
    from botocore import exceptions as boto_errors


@dataclass(frozen=True, slots=True)
class Problem:
    """A failure explained: a short title and the next step for the user."""

    title: str
    detail: str

    def __str__(self) -> str:
        return f"{self.title}: {self.detail}"


class ContextSwitched(Exception):
    """The reader was connected to another context while this answer was awaited.

    The question belonged to the context before: its answer, whenever it comes,
    is dropped, never shown in the new one. Nobody needs to be told.
    """


class UserFacingError(Exception):
    """An error whose message is already fit to show the user."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(f"{title}: {detail}")
        self.problem = Problem(title, detail)


# What a failed call says about the credentials: the status line shows these until
# a later call succeeds.
CREDENTIAL_PROBLEMS = frozenset(
    {
        "No AWS credentials",
        "SSO session expired",
        "Credentials expired",
        "Credentials rejected",
        "Request expired",
    }
)


def is_credential_problem(problem: Problem) -> bool:
    """True when `problem` means the credentials (or the clock signing with them) failed."""
    return problem.title in CREDENTIAL_PROBLEMS


# The page werkzeug-based servers (moto, behind the demo) send when an operation
# raises; moto raises for the operations it lacks. AWS never sends it: its 5xx
# answers are JSON, empty, or its front doors' own pages.
_ENDPOINT_CRASH_PAGE = "The server encountered an internal error and was unable to complete"


def endpoint_lacks_operation(error: boto_errors.ClientError) -> bool:
    """True when a local endpoint (moto) answered that it does not implement the call."""
    info = error.response.get("Error", {})
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    code = str(info.get("Code", ""))
    if code in {
        "NotImplemented",
        "NotImplementedException",
        "UnknownOperationException",
        "InvalidAction",
    }:
        return True
    if status == 501:  # HTTP's own "Not Implemented"
        return True
    # botocore keeps a body that is not JSON as the message.
    return status >= 500 and _ENDPOINT_CRASH_PAGE in str(info.get("Message", ""))


# ClientError codes whose meaning does not depend on the call that failed.
_CODE_ADVICE: dict[str, tuple[str, str]] = {
    "ExpiredTokenException": (
        "Credentials expired",
        "refresh them (`aws sso login`, or assume the role again) and press r.",
    ),
    "ExpiredToken": (
        "Credentials expired",
        "refresh them (`aws sso login`, or assume the role again) and press r.",
    ),
    "RequestExpired": (
        "Request expired",
        "the machine's clock is probably wrong: sync it (NTP) and press r.",
    ),
    "UnrecognizedClientException": (
        "Credentials rejected",
        "the access key is unknown to AWS: check the profile or environment variables.",
    ),
    "InvalidSignatureException": (
        "Credentials rejected",
        "the secret key does not match, or the clock is off: check both.",
    ),
    "InvalidClientTokenId": (
        "Credentials rejected",
        "the access key is unknown to AWS: check the profile or environment variables.",
    ),
    "ThrottlingException": (
        "ECR is throttling requests",
        "still throttled after retries: wait a minute, then press r.",
    ),
    "TooManyRequestsException": (
        "ECR is throttling requests",
        "still throttled after retries: wait a minute, then press r.",
    ),
    "RepositoryNotFoundException": (
        "Repository not found",
        "it may have been deleted: press r to refresh the list.",
    ),
    "ImageNotFoundException": (
        "Image not found",
        "it may have been deleted or retagged: press r to refresh.",
    ),
    "ScanNotFoundException": (
        "Not scanned",
        "this image has no scan yet: start one from the images pane.",
    ),
    "LimitExceededException": (
        "Scan limit reached",
        "ECR scans an image at most once every 24 hours; try again tomorrow.",
    ),
    "ImageTagAlreadyExistsException": (
        "Tag already exists",
        "the repository is IMMUTABLE, so an existing tag cannot be moved: use a new tag.",
    ),
    "ImageAlreadyExistsException": (
        "Tag already exists",
        "the repository is IMMUTABLE, so an existing tag cannot be moved: use a new tag.",
    ),
    "RepositoryNotEmptyException": (
        "Repository is not empty",
        "delete its images first, or choose the force option.",
    ),
    "RepositoryAlreadyExistsException": (
        "Repository already exists",
        "pick another name, or open the existing repository.",
    ),
    "RepositoryPolicyNotFoundException": (
        "No repository policy",
        "this repository has no policy; access comes from IAM policies alone.",
    ),
    "LifecyclePolicyNotFoundException": (
        "No lifecycle policy",
        "this repository has no lifecycle policy: images are never expired.",
    ),
}

_THROTTLING_CODES = frozenset({"ThrottlingException", "TooManyRequestsException"})


def explain_error(error: BaseException, endpoint: str | None = None) -> Problem:
    """Describe any failure of an AWS or Docker call as a title and a next step."""
    if isinstance(error, UserFacingError):
        return error.problem
    if isinstance(error, ReadOnlyRefusal):
        return Problem(error.title, error.detail)
    # Imported here: botocore and the docker SDK take a tenth of a second each to
    # load, which the first frame should not wait for.
    from botocore import exceptions as boto_errors

    from ecr_tui.core.answers import ConnectionCut, CutOffAnswer
    from ecr_tui.core.docker.errors import DockerActionError

    where = endpoint or "the ECR endpoint"
    if isinstance(error, ConnectionCut):
        return Problem(
            "Connection lost",
            f"the connection to {where} broke in the middle of an answer to "
            f"{error.operation}{_in_a_row(error.attempts)}: check the network, VPN or "
            "proxy, then press r.",
        )
    if isinstance(error, CutOffAnswer):
        return Problem(
            "Answer cut off",
            f"the answer from ECR to {error.operation} was cut off"
            f"{_in_a_row(error.attempts)}: a proxy, VPN "
            "or unstable network is shortening answers; press r to retry, and check "
            "them if it keeps happening.",
        )

    if isinstance(error, DockerActionError):
        return Problem(error.title, error.detail)
    if isinstance(error, boto_errors.NoCredentialsError | boto_errors.PartialCredentialsError):
        return Problem(
            "No AWS credentials",
            "run `aws configure` or `aws sso login --profile NAME`, "
            "or pass --profile; or try `ecr-tui --demo`.",
        )
    if isinstance(error, boto_errors.ProfileNotFound):
        return Problem("Unknown profile", f"{error}: check ~/.aws/config or --profile.")
    if isinstance(error, boto_errors.NoRegionError):
        return Problem("No region", "pass --region or set AWS_REGION / a region in the profile.")
    sso_errors = tuple(
        error_type
        for name in (
            "SSOTokenLoadError",
            "UnauthorizedSSOTokenError",
            "TokenRetrievalError",
            "SSOError",
        )
        if isinstance(error_type := getattr(boto_errors, name, None), type)
    )
    if sso_errors and isinstance(error, sso_errors):
        return Problem(
            "SSO session expired",
            "run `aws sso login` (with --profile if you use one), then press r.",
        )
    if isinstance(error, boto_errors.ConnectionClosedError):
        # Connected, then the line went mid-answer (botocore retried it already).
        return Problem(
            "Connection lost",
            f"the connection to {where} broke in the middle of an answer, also when "
            "retried: check the network, VPN or proxy, then press r.",
        )
    if isinstance(error, boto_errors.EndpointConnectionError | boto_errors.ConnectTimeoutError):
        return Problem(
            "Endpoint unreachable",
            f"cannot connect to {where}: check the network, VPN or proxy, "
            "and --endpoint-url / --region.",
        )
    if isinstance(error, boto_errors.ReadTimeoutError):
        return Problem(
            "ECR did not answer in time",
            f"{where} accepted the request but sent no answer, also when retried: "
            "the network or ECR is slow; press r to retry.",
        )
    from botocore.parsers import ResponseParserError

    if isinstance(error, ResponseParserError):
        # botocore's own parsers (STS's XML): the answer came garbled or cut off.
        return Problem(
            "Answer cut off",
            "the answer from AWS could not be read (cut off or garbled): press r to "
            "retry; if it keeps happening, check the proxy or VPN.",
        )
    if isinstance(error, boto_errors.ClientError):
        return _explain_client_error(error)
    if isinstance(error, boto_errors.BotoCoreError):
        return Problem("AWS client error", str(error))
    return Problem("Unexpected error", f"{type(error).__name__}: {error}")


def _in_a_row(attempts: int) -> str:
    return f" {attempts} times in a row" if attempts > 1 else ""


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _explain_client_error(error: boto_errors.ClientError) -> Problem:
    info = error.response.get("Error", {})
    code = str(info.get("Code", ""))
    message = str(info.get("Message", "")).strip()
    operation = getattr(error, "operation_name", "") or "the call"
    if code in {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}:
        denied = parse_access_denied(message)
        if denied is not None:
            return Problem("Access denied", denied.explain())
        return Problem(
            "Access denied",
            f"your identity may not call ecr:{operation}: "
            f"ask for an IAM policy that allows it. AWS said: {message}",
        )
    if code == "InvalidParameterException" or code == "ValidationException":
        return Problem("Rejected by ECR", message or f"{operation} had an invalid parameter.")
    metadata = error.response.get("ResponseMetadata", {})
    status = metadata.get("HTTPStatusCode", 0)
    if endpoint_lacks_operation(error):
        return Problem(
            "Not supported here",
            f"this endpoint does not implement {operation} (it answered HTTP {status} "
            "with an error page); real AWS does.",
        )
    if status >= 500 and code not in _THROTTLING_CODES:
        # botocore retried it already (5xx are transient to it): say how often.
        retries = int(metadata.get("RetryAttempts", 0))
        retried = f", also when retried {_times(retries)}" if retries else ""
        return Problem(
            "ECR server error",
            f"ECR failed to answer {operation} (HTTP {status}, an error on AWS's side)"
            f"{retried}: wait a moment, then press r to try again.",
        )
    if code in _CODE_ADVICE:
        title, advice = _CODE_ADVICE[code]
        return Problem(title, advice)
    if code.isdigit():  # no error body to read, only the HTTP status
        return Problem(
            "Not supported here",
            f"the endpoint could not answer {operation} (HTTP {code}); it may not implement it.",
        )
    return Problem(code or "ECR error", message or f"{operation} failed.")
