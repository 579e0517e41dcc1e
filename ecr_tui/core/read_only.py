"""Read-only mode: which ECR operations may be sent, decided by IAM's access levels.

One list decides it for the whole app. `EcrService` refuses, before anything is
sent, every ECR operation not on it when read-only mode is on, and the UI asks
the same question (`is_mutating`) before it opens a dialog for a change.

The list is the ECR actions that IAM's Service Authorization Reference
("Actions defined by Amazon Elastic Container Registry") puts at the access
levels Read or List, the ones a read-only policy such as the AWS managed
AmazonEC2ContainerRegistryReadOnly grants. Everything else (Write, Permissions
management, Tagging, and any operation added to ECR later) counts as a change.
That includes StartImageScan (it spends the image's one scan a day) and
StartLifecyclePolicyPreview (IAM classes it as Write: a read-only identity is
denied it), even though neither changes what is stored.
"""

from __future__ import annotations

READ_OPERATIONS: frozenset[str] = frozenset(
    {
        # Read
        "BatchCheckLayerAvailability",
        "BatchGetImage",
        "BatchGetRepositoryScanningConfiguration",
        "DescribeImageReplicationStatus",
        "DescribeImageScanFindings",
        "DescribeImageSigningStatus",
        "DescribeRegistry",
        "DescribeRepositoryCreationTemplates",
        "GetAccountSetting",
        "GetAuthorizationToken",
        "GetDownloadUrlForLayer",
        "GetLifecyclePolicy",
        "GetLifecyclePolicyPreview",
        "GetRegistryPolicy",
        "GetRegistryScanningConfiguration",
        "GetRepositoryPolicy",
        "GetSigningConfiguration",
        "ListTagsForResource",
        # List
        "DescribeImages",
        "DescribePullThroughCacheRules",
        "DescribeRepositories",
        "ListImageReferrers",
        "ListImages",
        "ListPullTimeUpdateExclusions",
    }
)

READ_ONLY_SOURCES = "--read-only, or read_only in the config file"


def is_mutating(operation: str) -> bool:
    """True when the ECR operation (e.g. "PutImageTagMutability") needs more than read access."""
    return operation not in READ_OPERATIONS


class ReadOnlyRefusal(Exception):
    """Read-only mode kept an operation from being sent; the message says which and why.

    `explain_error` shows it as it is (`title`, `detail`), like a `UserFacingError`
    (which this module cannot use: the ECR client raises it, and `errors` imports
    the Docker side, which imports the ECR client).
    """

    title = "Read-only"

    def __init__(self, operation: str, what: str | None = None, reason: str | None = None) -> None:
        """`reason`: why this session is read-only and what to do about it, when known."""
        subject = f"{what} ({operation})" if what else operation
        self.operation = operation
        reason = reason or (
            f"read-only mode ({READ_ONLY_SOURCES}). Start ecr-tui without it to make changes."
        )
        self.detail = f"{subject} needs more than read access, so nothing was sent: {reason}"
        super().__init__(f"{self.title}: {self.detail}")
