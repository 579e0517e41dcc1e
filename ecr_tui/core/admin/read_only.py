"""Which administration operations change something in ECR, for a read-only mode."""

from __future__ import annotations

# The names of the functions of the `ecr_tui.core.admin` modules that change something
# in ECR, for a read-only mode to refuse. start_scan counts: it spends the image's one
# scan a day and IAM classes StartImageScan as a write. A lifecycle preview changes
# nothing and is left out, so a read-only user can still try a policy.
MUTATING_OPERATIONS: frozenset[str] = frozenset(
    {
        "create_repository",
        "delete_repository",
        "delete_images",
        "set_tag_mutability",
        "set_scan_on_push",
        "start_scan",
        "set_repository_policy",
        "delete_repository_policy",
        "set_lifecycle_policy",
        "delete_lifecycle_policy",
        "retag_image",
    }
)


def is_mutating(operation: str) -> bool:
    """True when the administration function named `operation` changes ECR."""
    return operation in MUTATING_OPERATIONS
