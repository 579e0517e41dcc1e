"""`EcrImage`, moto's image with what real ECR also records, and `find_image`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.ecr.models import Image as MotoImage

from ecr_tui.demo.data.images import ImageSpec
from ecr_tui.demo.data.scans import ScanSpec
from ecr_tui.demo.moto_patches.protocol import EcrError


class EcrImage(MotoImage):
    """A moto image plus what real ECR also reports about it.

    Made without moto's constructor, which keeps every instance in a global
    list and needs the manifest text: a seeded image rebuilds its manifest
    from the dataset only when something asks for it.
    """

    size_bytes: int
    pushed_at: float
    last_pulled_at: float | None
    artifact_media_type: str
    scan: ScanSpec | None
    manifest_text: str | None
    spec: ImageSpec | None
    # What only some images have: class defaults keep them off most instances.
    subject_digest: str | None = None  # an OCI 1.1 referrer's subject (subjectManifestDigest)
    platform: str = ""  # an index's child: os/architecture[/variant]
    storage_status: str = "ACTIVE"  # ACTIVE, ARCHIVED, or ACTIVATING until `restore_done_at`
    archived_at: float | None = None
    activated_at: float | None = None
    restore_done_at: float | None = None

    @classmethod
    def make(
        cls,
        repository: Any,
        digest: str,
        tags: Iterable[str],
        media_type: str,
        *,
        manifest_text: str | None = None,
        spec: ImageSpec | None = None,
    ) -> EcrImage:
        """An image with the fields moto reads; callers fill in ECR's extras."""
        image: EcrImage = object.__new__(cls)
        image.image_tags = list(tags)
        image.image_tag = image.image_tags[-1] if image.image_tags else None  # type: ignore[assignment]
        image.image_manifest_media_type = media_type
        image.repository_name = repository.name
        image.registry_id = repository.registry_id
        image._image_digest = digest
        image.manifest_text = manifest_text
        image.spec = spec
        image.last_pulled_at = None
        image.scan = None
        return image

    @property
    def image_manifest(self) -> str:
        """The manifest as pushed (moto reads this for BatchGetImage)."""
        if self.manifest_text is not None:
            return self.manifest_text
        assert self.spec is not None  # every image has one or the other
        return self.spec.manifest().decode()

    @image_manifest.setter
    def image_manifest(self, text: str) -> None:
        # moto's Image has a plain attribute here, so a subclass must accept writes too.
        self.manifest_text = text

    def status_at(self, now: float) -> tuple[str, float | None, float | None]:
        """ECR's imageStatus at `now`, with lastArchivedAt and lastActivatedAt.

        A restore (ACTIVATING) is over at `restore_done_at`: the image is ACTIVE again.
        """
        status, activated = self.storage_status, self.activated_at
        done = self.restore_done_at
        if status == "ACTIVATING" and done is not None and now >= done:
            status, activated = "ACTIVE", done
        return status, self.archived_at, activated

    def add_tag(self, tag: str) -> None:
        """Put `tag` on this image."""
        if tag not in self.image_tags:
            self.image_tags.append(tag)
        self.image_tag = tag

    def drop_tag(self, tag: str) -> None:
        """Take `tag` off; an image that loses its last tag stays, untagged."""
        if tag in self.image_tags:
            self.image_tags.remove(tag)
        # moto annotates a str, yet its own untagged images carry None too.
        self.image_tag = self.image_tags[-1] if self.image_tags else None  # type: ignore[assignment]


def find_image(repository: Any, image_id: Any) -> EcrImage:
    """The image an ECR `imageId` names, or ImageNotFoundException."""
    image_id = image_id if isinstance(image_id, dict) else {}
    digest, tag = image_id.get("imageDigest"), image_id.get("imageTag")
    if not digest and not tag:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'imageId' failed to satisfy constraint: "
            "'Either imageDigest or imageTag must be specified'",
        )
    for image in reversed(repository.images):  # recent images are asked for most
        if (not digest or image.image_digest == digest) and (not tag or tag in image.image_tags):
            return image  # type: ignore[no-any-return]
    raise EcrError(
        "ImageNotFoundException",
        f"The image with imageId {{imageDigest:'{digest or 'null'}', "
        f"imageTag:'{tag or 'null'}'}} does not exist within the repository with name "
        f"'{repository.name}' in the registry with id '{repository.registry_id}'",
    )


def image_id_as_asked(params: dict[str, Any], image: EcrImage) -> dict[str, str]:
    """The `imageId` ECR answers about one image: its digest, and the tag if asked by one."""
    image_id = {"imageDigest": image.image_digest}
    tag = (params.get("imageId") or {}).get("imageTag")
    if tag:
        image_id["imageTag"] = tag
    return image_id
