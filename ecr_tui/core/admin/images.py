"""Images: delete them in batches (reporting each one ECR refused), start a basic scan,
add a tag to an image without pulling it (retag), archive one or restore it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_tui.core.admin.common import check_digest, check_repository, error_code, short_digest
from ecr_tui.core.ecr import EcrService
from ecr_tui.core.errors import UserFacingError, explain_error
from ecr_tui.core.models import ScanState
from ecr_tui.core.names import digest_problem, image_tag_problem

if TYPE_CHECKING:
    from mypy_boto3_ecr.type_defs import ImageIdentifierTypeDef

BATCH_DELETE_LIMIT = 100  # BatchDeleteImage takes at most 100 image ids


# -- deleting images ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image as ECR's `imageId` names it: by digest, by tag, or both."""

    digest: str | None = None
    tag: str | None = None

    @property
    def label(self) -> str:
        """How messages name the image: `tag`, `sha256 prefix`, or `tag@prefix`."""
        if self.tag and self.digest:
            return f"{self.tag}@{short_digest(self.digest)}"
        return self.tag or short_digest(self.digest or "") or "(no digest or tag)"

    def problem(self) -> str | None:
        """What is wrong with this reference, or None."""
        if self.digest is None and self.tag is None:
            return "give a digest or a tag"
        if self.digest is not None and (problem := digest_problem(self.digest)):
            return f"digest {self.digest!r}: {problem}"
        if self.tag is not None and (problem := image_tag_problem(self.tag)):
            return f"tag {self.tag!r}: {problem}"
        return None

    def as_api(self) -> ImageIdentifierTypeDef:
        """The reference as ECR's `imageId`."""
        image_id: ImageIdentifierTypeDef = {}
        if self.digest is not None:
            image_id["imageDigest"] = self.digest
        if self.tag is not None:
            image_id["imageTag"] = self.tag
        return image_id

    @classmethod
    def from_api(cls, image_id: Mapping[str, Any]) -> ImageRef:
        """The reference for one of ECR's `imageId`s."""
        return cls(digest=image_id.get("imageDigest"), tag=image_id.get("imageTag"))


# ECR's ImageFailureCode values in plain words.
_FAILURE_WORDS: dict[str, str] = {
    "InvalidImageDigest": "not a valid image digest",
    "InvalidImageTag": "not a valid image tag",
    "ImageTagDoesNotMatchDigest": "that tag is not on that digest",
    "ImageNotFound": "no such image (it may be deleted already)",
    "MissingDigestAndTag": "neither a digest nor a tag was given",
    "ImageReferencedByManifestList": (
        "a multi-platform image (manifest list) still refers to it: delete that one first"
    ),
    "KmsError": "KMS refused to decrypt it",
    "UpstreamAccessDenied": "the upstream registry refused access",
    "UpstreamTooManyRequests": "the upstream registry is rate limiting",
    "UpstreamUnavailable": "the upstream registry is unavailable",
    "ImageInaccessible": "the image cannot be reached",
}


def _failure_in_words(code: str, reason: str) -> str:
    words = _FAILURE_WORDS.get(code)
    if words is None:
        return reason or code
    return f"{words} (ECR: {reason})" if reason else words


@dataclass(frozen=True, slots=True)
class DeleteFailure:
    """One image ECR did not delete, with its reason."""

    image: ImageRef
    code: str  # ECR's failureCode, or "NotAttempted" when an earlier batch failed
    reason: str  # ECR's failureReason, as it said it

    @property
    def explanation(self) -> str:
        """The failure in plain words, ECR's own words after them."""
        return _failure_in_words(self.code, self.reason)


@dataclass(frozen=True, slots=True)
class DeleteOutcome:
    """What a batch delete did, image by image."""

    repository: str
    deleted: tuple[ImageRef, ...]
    failures: tuple[DeleteFailure, ...]

    @property
    def summary(self) -> str:
        """One line for a notification: how many went, and why others did not."""
        text = f"deleted {len(self.deleted)} from {self.repository}"
        if self.failures:
            reasons = "; ".join(f"{f.image.label}: {f.explanation}" for f in self.failures[:3])
            more = f" and {len(self.failures) - 3} more" if len(self.failures) > 3 else ""
            text += f"; {len(self.failures)} failed ({reasons}{more})"
        return text


def delete_images(
    service: EcrService, repository: str, images: Sequence[ImageRef]
) -> DeleteOutcome:
    """Delete images by digest or tag, 100 a request as ECR allows.

    Deleting by tag only removes that tag; ECR deletes the image with its last tag.
    When a later batch fails as a whole, the images it and the ones after it held are
    reported as not attempted, so the outcome always says exactly what was deleted.
    """
    check_repository(repository, "Cannot delete images")
    wanted = list(dict.fromkeys(images))  # the same id twice in one batch is refused
    for image in wanted:
        problem = image.problem()
        if problem:
            raise UserFacingError("Cannot delete images", problem)
    deleted: list[ImageRef] = []
    failures: list[DeleteFailure] = []
    for start in range(0, len(wanted), BATCH_DELETE_LIMIT):
        batch = wanted[start : start + BATCH_DELETE_LIMIT]
        try:
            answer = service.ecr.batch_delete_image(
                repositoryName=repository, imageIds=[image.as_api() for image in batch]
            )
        except (ClientError, BotoCoreError) as error:
            if start == 0:
                raise  # nothing was deleted: the error alone says it all
            explained = explain_error(error)
            failures.extend(
                DeleteFailure(image, "NotAttempted", f"{explained.title}: {explained.detail}")
                for image in wanted[start:]
            )
            break
        batch_failures = [
            DeleteFailure(
                ImageRef.from_api(item.get("imageId", {})),
                str(item.get("failureCode", "")),
                str(item.get("failureReason", "")),
            )
            for item in answer.get("failures", [])
        ]
        failures.extend(batch_failures)
        # ECR answers every id asked for, as deleted or as failed (echoing the id as
        # sent). The deleted list is read as "the rest" rather than from `imageIds`,
        # which lists one entry per removed tag, and which moto leaves empty for
        # untagged images.
        failed = {failure.image for failure in batch_failures}
        deleted.extend(image for image in batch if image not in failed)
    return DeleteOutcome(repository, tuple(deleted), tuple(failures))


# -- scans --------------------------------------------------------------------------------


def start_scan(service: EcrService, repository: str, digest: str) -> ScanState:
    """Start a basic scan of one image; the state ECR reports right after."""
    check_repository(repository, "Cannot scan")
    check_digest(digest, "Cannot scan")
    try:
        answer = service.ecr.start_image_scan(
            repositoryName=repository, imageId={"imageDigest": digest}
        )
    except ClientError as error:
        code = error_code(error)
        if code == "LimitExceededException":
            raise UserFacingError(
                "Scan limit reached",
                f"ECR scans an image once every 24 hours, and {short_digest(digest)} was scanned "
                "less than a day ago: its last results stay shown; try again tomorrow.",
            ) from error
        if code == "UnsupportedImageTypeException":
            raise UserFacingError(
                "Cannot scan this image",
                "basic scanning only reads container images of supported operating systems.",
            ) from error
        if code == "ValidationException":
            # Real ECR's answer when the registry uses enhanced scanning.
            message = str(error.response.get("Error", {}).get("Message", "")).rstrip(".")
            raise UserFacingError(
                "Manual scans are off",
                f"ECR said: {message}. With enhanced scanning (Amazon Inspector) images are "
                "scanned continuously and cannot be scanned by hand.",
            ) from error
        raise
    return ScanState.parse(answer.get("imageScanStatus", {}).get("status"))


# -- retagging ----------------------------------------------------------------------------

# Every manifest kind ECR stores for container images: asking for all of them makes
# BatchGetImage hand back the manifest exactly as pushed, never a converted one.
MANIFEST_MEDIA_TYPES: tuple[str, ...] = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
)


def _immutable_tag_error(repository: str, tag: str) -> UserFacingError:
    return UserFacingError(
        "Tag already exists",
        f"{tag!r} already names another image in {repository}, and its tags are "
        "immutable, so an existing tag cannot be moved: use a new tag.",
    )


def _digest_of_tag(service: EcrService, repository: str, tag: str) -> str | None:
    try:
        answer = service.ecr.describe_images(
            repositoryName=repository, imageIds=[{"imageTag": tag}]
        )
    except ClientError as error:
        if error_code(error) == "ImageNotFoundException":
            return None
        raise
    details = answer.get("imageDetails", [])
    return details[0].get("imageDigest") if details else None


def retag_image(service: EcrService, repository: str, digest: str, new_tag: str) -> None:
    """Add `new_tag` to the image `digest` without pulling it: its manifest is put again.

    On a mutable repository a tag that named another image moves here; on an
    immutable one that is refused with a plain message.
    """
    check_repository(repository, "Cannot retag")
    check_digest(digest, "Cannot retag")
    problem = image_tag_problem(new_tag)
    if problem:
        raise UserFacingError("Cannot retag", f"new tag {new_tag!r}: {problem}")
    answer = service.ecr.batch_get_image(
        repositoryName=repository,
        imageIds=[{"imageDigest": digest}],
        acceptedMediaTypes=list(MANIFEST_MEDIA_TYPES),
    )
    images = answer.get("images", [])
    if not images:
        failures = answer.get("failures") or [{"failureCode": "ImageNotFound"}]
        words = _failure_in_words(
            str(failures[0].get("failureCode", "")), str(failures[0].get("failureReason", ""))
        )
        raise UserFacingError("Image not found", f"{short_digest(digest)} in {repository}: {words}")
    image = images[0]
    request: dict[str, Any] = {
        "repositoryName": repository,
        "imageManifest": image["imageManifest"],
        "imageTag": new_tag,
        # The digest keeps the tag on this very image: some endpoints would otherwise
        # derive another one from the manifest text.
        "imageDigest": digest,
    }
    if image.get("imageManifestMediaType"):
        request["imageManifestMediaType"] = image["imageManifestMediaType"]
    try:
        service.ecr.put_image(**request)
    except ClientError as error:
        code = error_code(error)
        if code == "ImageTagAlreadyExistsException":
            raise _immutable_tag_error(repository, new_tag) from error
        if code == "ImageAlreadyExistsException":
            # Real ECR says this when the tag is already on this image: nothing to do.
            # moto says it when an immutable tag names another image.
            if _digest_of_tag(service, repository, new_tag) == digest:
                return
            raise _immutable_tag_error(repository, new_tag) from error
        raise


# -- the archive storage class ------------------------------------------------------------


def set_storage_class(service: EcrService, repository: str, digest: str, archive: bool) -> str:
    """Move an image to the archive storage class, or start its restore; its new status.

    ECR answers ARCHIVED at once; a restore answers ACTIVATING and takes up to 20
    minutes. Raises UserFacingError when botocore or the endpoint cannot do it.
    """
    what = "Cannot archive" if archive else "Cannot restore"
    check_repository(repository, what)
    check_digest(digest, what)
    client: Any = service.ecr
    if not hasattr(client, "update_image_storage_class"):
        raise UserFacingError(
            what, "the installed botocore has no UpdateImageStorageClass: upgrade boto3."
        )
    try:
        answer = client.update_image_storage_class(
            repositoryName=repository,
            imageId={"imageDigest": digest},
            targetStorageClass="ARCHIVE" if archive else "STANDARD",
        )
    except ClientError as error:
        if error_code(error) in ("InvalidParameterException", "ValidationException"):
            message = str(error.response.get("Error", {}).get("Message", "")).rstrip(".")
            raise UserFacingError(what, f"ECR said: {message}.") from error
        raise
    return str(answer.get("imageStatus", ""))
