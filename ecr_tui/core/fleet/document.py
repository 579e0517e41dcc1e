"""What an export is made of: `Export`, the rows and the words that say what they are,
and where its images are (the registry's account and region, each row's image URI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ecr_tui.core.fleet.groups import AffectedImage
from ecr_tui.core.uris import ImageReferenceError, registry_host


@dataclass(frozen=True, slots=True)
class Export:
    """What is exported: rows, and the words that say what they are."""

    title: str
    rows: tuple[AffectedImage, ...]
    scope: tuple[str, ...] = ()  # the filters in force, in words
    coverage: str = ""  # which images the rows speak for, and which they do not
    complete: bool = True  # False: partial (cancelled, failures): say so everywhere
    generated_at: datetime | None = None
    # The registry read (its account, the registry id) and the region: rows of a
    # delegated administrator's member account name theirs ("ACCOUNT:repository").
    account: str = ""  # "": not known (said as unknown, never guessed)
    region: str = ""

    @property
    def when(self) -> datetime:
        return self.generated_at or datetime.now(UTC)

    @property
    def where(self) -> str:
        """ "registry 123456789012 in us-east-1", unknown parts said so."""
        return f"registry {self.account or 'unknown'} in {self.region or 'an unknown region'}"

    def locate(self, row: AffectedImage) -> ImageLocation:
        """The row's image: its account, region, repository name and URI."""
        return locate(row.image.repository, row.image.digest, self.account, self.region)


@dataclass(frozen=True, slots=True)
class ImageLocation:
    """Which registry an exported image is in, and its URI (None when not known)."""

    account: str
    region: str
    repository: str
    uri: str | None


def locate(repository: str, digest: str, account: str, region: str) -> ImageLocation:
    """`repository` as a fleet row names it ("ACCOUNT:name" for another account's image)
    in the registry `account` of `region`: the account it is in, its plain name and the
    image's URI `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME@DIGEST` (a valid URI reference)."""
    owner, sep, name = repository.partition(":")
    if not sep:
        owner, name = account, repository
    try:
        host = registry_host(owner, region) if owner and region else None
    except ImageReferenceError:  # not an AWS account or region (a local endpoint's)
        host = None
    return ImageLocation(owner, region, name, f"{host}/{name}@{digest}" if host else None)
