"""The repository policy: validate its JSON as ECR insists on it, read, replace, remove."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ecr_tui.core.admin.common import check_repository, error_code
from ecr_tui.core.admin.policy_documents import (
    JsonDocument,
    JsonPath,
    PolicyError,
    check_properties,
    json_kind,
    load_json_object,
)
from ecr_tui.core.ecr import EcrService
from ecr_tui.core.errors import UserFacingError

# The largest policy text the ECR API model allows.
REPOSITORY_POLICY_MAX = 10_240

# -- validating ---------------------------------------------------------------------------


def _string_list(value: object, where: str, field: str) -> list[str]:
    """A string or a non-empty list of strings, as a list; IAM allows both forms."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise PolicyError(f"{where}: '{field}' must be a string or a non-empty list of strings")
    for item in items:
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{where}: '{field}' holds {json_kind(item)}; use non-empty strings")
    return items


_POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
# The elements of IAM's policy grammar a resource policy may hold; IAM refuses others.
_POLICY_ELEMENTS = ("Version", "Id", "Statement")
_STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)


def _check_statement(statement: object, index: int, document: JsonDocument, path: JsonPath) -> None:
    where = f"statement {index}"
    if not isinstance(statement, dict):
        raise PolicyError(f"{where} must be an object, not {json_kind(statement)}")
    if isinstance(statement.get("Sid"), str) and statement["Sid"]:
        where += f" ({statement['Sid']})"
    check_properties(document, path, statement, _STATEMENT_ELEMENTS, where)
    effect = statement.get("Effect")
    if effect is None:
        raise PolicyError(f'{where} has no \'Effect\': use "Allow" or "Deny"')
    if effect not in ("Allow", "Deny"):
        raise PolicyError(
            f'{where}: \'Effect\' must be "Allow" or "Deny", not {json.dumps(effect)}'
        )
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise PolicyError(
            f"{where} has no 'Principal': a repository policy must say whom it applies to, "
            'e.g. {"AWS": "arn:aws:iam::123456789012:root"}'
        )
    fields = [field for field in ("Action", "NotAction") if field in statement]
    if not fields:
        raise PolicyError(f"{where} has no 'Action': list the ecr: actions it covers")
    if len(fields) == 2:
        raise PolicyError(f"{where} has both 'Action' and 'NotAction': keep one")
    for action in _string_list(statement[fields[0]], where, fields[0]):
        # IAM matches action names case-insensitively: "ECR:BatchGetImage" is valid.
        if action != "*" and not (action.lower().startswith("ecr:") and len(action) > 4):
            raise PolicyError(
                f"{where}: {action!r} is not an ECR action; a repository policy only takes "
                'actions starting with "ecr:" (or "*")'
            )


def _check_repository_policy(text: str) -> None:
    document = load_json_object(text, "policy", REPOSITORY_POLICY_MAX)
    check_properties(document, (), document.value, _POLICY_ELEMENTS, "the policy")
    version = document.value.get("Version")
    if version is None:
        raise PolicyError('\'Version\' is missing: add "Version": "2012-10-17"')
    if version not in _POLICY_VERSIONS:
        raise PolicyError(f"'Version' must be \"2012-10-17\", not {json.dumps(version)}")
    if "Statement" not in document.value:
        raise PolicyError("'Statement' is missing: add a list of statements")
    statements = document.value["Statement"]
    if isinstance(statements, dict):  # IAM accepts a lone statement object too
        _check_statement(statements, 1, document, ("Statement",))
        return
    if not isinstance(statements, list):
        raise PolicyError(f"'Statement' must be a list of statements, not {json_kind(statements)}")
    if not statements:
        raise PolicyError("'Statement' is empty: add at least one statement")
    for index, statement in enumerate(statements, start=1):
        _check_statement(statement, index, document, ("Statement", index - 1))


def repository_policy_problem(text: str) -> str | None:
    """What is wrong with `text` as a repository policy, or None if ECR may be sent it.

    Checks the shape ECR insists on (JSON, Version, a non-empty Statement list, each
    statement with Effect, Principal and ecr: actions), not the IAM semantics.
    """
    try:
        _check_repository_policy(text)
    except PolicyError as error:
        return str(error)
    return None


# -- reading and changing it --------------------------------------------------------------


def get_repository_policy(service: EcrService, repository: str) -> str | None:
    """The repository policy's text, or None when the repository has none."""
    check_repository(repository, "Cannot read the policy")
    try:
        answer = service.ecr.get_repository_policy(repositoryName=repository)
    except ClientError as error:
        if error_code(error) == "RepositoryPolicyNotFoundException":
            return None
        raise
    return answer.get("policyText")


def set_repository_policy(service: EcrService, repository: str, text: str) -> None:
    """Replace the repository policy, once `text` passes `repository_policy_problem`."""
    check_repository(repository, "Cannot set the policy")
    problem = repository_policy_problem(text)
    if problem:
        raise UserFacingError("Invalid repository policy", problem)
    service.ecr.set_repository_policy(repositoryName=repository, policyText=text)


def delete_repository_policy(service: EcrService, repository: str) -> bool:
    """Remove the repository policy; False when there was none (nothing to do)."""
    check_repository(repository, "Cannot delete the policy")
    try:
        service.ecr.delete_repository_policy(repositoryName=repository)
    except ClientError as error:
        if error_code(error) == "RepositoryPolicyNotFoundException":
            return False
        raise
    return True
