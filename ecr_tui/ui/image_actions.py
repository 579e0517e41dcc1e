"""Image administration: scan, mark, delete, archive and restore the images pane's images.

Apart from the repository and policy flows because these act on images, not on
a repository's settings; the shared plumbing is in `admin_flows`.
"""

from __future__ import annotations

from ecr_tui.core.admin.images import (
    DeleteOutcome,
    ImageRef,
    delete_images,
    set_storage_class,
    start_scan,
)
from ecr_tui.core.models import Image, ScanState
from ecr_tui.ui.admin_flows import AdminFlows
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.panes.images import ImagesPane

# What the archive storage class costs and means, said before the change.
ARCHIVE_TEXT = (
    "Move this image to ECR's archive storage class?\n\n"
    "· It stays listed (as archived) but cannot be pulled until it is restored.\n"
    "· Archived storage is billed for at least 90 days: restoring or deleting it "
    "sooner still costs the rest of the 90 days.\n"
    "· A restore takes up to 20 minutes and is billed per GB restored."
)
RESTORE_TEXT = (
    "Restore this image from the archive storage class?\n\n"
    "· The restore takes up to 20 minutes (ACTIVATING meanwhile); the image can be "
    "pulled once it is ACTIVE again.\n"
    "· Restores are billed per GB, and an image archived less than 90 days ago is "
    "still billed for the rest of its 90-day minimum."
)


class ImageActions(AdminFlows):
    """The image flows of one app."""

    def _reload_images(self) -> None:
        pane = self.app.query_one(ImagesPane)
        if self._service is not None and pane.repository is not None:
            pane.show(self.app.reader, pane.repository, force=True)

    def start_scan(self) -> None:
        """Start a basic scan of the selected image; the findings pane follows it."""
        service = self._allowed("StartImageScan", "Starting a scan")
        image: Image | None = self.app.query_one(ImagesPane).table.current_row
        if service is None or image is None:
            return

        def started(state: ScanState) -> None:
            # The state's words ("scanning"), not the enum's name (ScanState.IN_PROGRESS).
            self.app.notify(f"Scan of {_label(image)}: {state.value}.", title="Scan started")
            self._reload_images()

        self._run(
            f"Scanning {_label(image)}",
            lambda: start_scan(service, image.repository, image.digest),
            started,
        )

    def toggle_mark(self) -> None:
        """Mark or unmark the selected image for deletion, and move on."""
        pane = self.app.query_one(ImagesPane)
        if pane.table.current_row is not None:
            pane.table.toggle_mark(pane.table.current_row)
            pane.table.action_cursor_down()
            pane.refresh_subtitle()

    def delete_images(self) -> None:
        """Delete the marked images (or the selected one) after listing what goes."""
        service = self._allowed("BatchDeleteImage", "Deleting images")
        pane = self.app.query_one(ImagesPane)
        images: list[Image] = pane.table.marked_rows or (
            [pane.table.current_row] if pane.table.current_row else []
        )
        if service is None or not images or pane.repository is None:
            return
        repository = pane.repository.name
        listing = "\n".join(f"  {_label(image)}  {image.short_digest}" for image in images[:12])
        if len(images) > 12:
            listing += f"\n  … and {len(images) - 12} more"
        refs = [ImageRef(digest=image.digest) for image in images]

        def deleted(outcome: DeleteOutcome) -> None:
            failed = [f"{f.image.label}: {f.explanation}" for f in outcome.failures]
            self.app.notify(
                "\n".join([outcome.summary, *failed]),
                title="Images deleted" if not failed else "Some images were not deleted",
                severity="information" if not failed else "warning",
                timeout=12,
            )
            self._reload_images()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(
                    f"Deleting {len(refs)} image(s)",
                    lambda: delete_images(service, repository, refs),
                    deleted,
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Delete {len(images)} image(s) from {repository}",
                f"Every tag of these images goes with them:\n{listing}",
            ),
            confirmed,
        )

    def toggle_archive(self) -> None:
        """Archive the selected image, or restore it, after saying what it costs."""
        pane = self.app.query_one(ImagesPane)
        image: Image | None = pane.table.current_row
        if image is None or pane.repository is None:
            self.app.notify("Choose an image first.", severity="warning")
            return
        if image.image_status == "ACTIVATING":
            self.app.notify(
                f"{_label(image)} is being restored already (up to 20 minutes); "
                "press r to see whether it is done.",
                title="Restore under way",
            )
            return
        archive = not image.is_archived
        service = self._allowed(
            "UpdateImageStorageClass", "Archiving images" if archive else "Restoring images"
        )
        if service is None:
            return
        repository = pane.repository.name

        def changed(status: str) -> None:
            done = "archived" if archive else "being restored (up to 20 minutes)"
            self.app.notify(
                f"{_label(image)} is {done}: ECR says {status or 'nothing'}.",
                title="Archived" if archive else "Restore started",
            )
            self._reload_images()

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(
                    f"{'Archiving' if archive else 'Restoring'} {_label(image)}",
                    lambda: set_storage_class(service, repository, image.digest, archive),
                    changed,
                )

        title = f"{'Archive' if archive else 'Restore'} {_label(image)} ({repository})"
        self.app.push_screen(
            ConfirmScreen(
                title,
                ARCHIVE_TEXT if archive else RESTORE_TEXT,
                confirm_label="Archive" if archive else "Restore",
            ),
            confirmed,
        )


def _label(image: Image) -> str:
    return image.tags[0] if image.tags else image.short_digest
