"""What the copy keys put on the clipboard: image URIs and a ready `docker pull` command.

The app copies with Textual's `App.copy_to_clipboard`, which writes the text
to the terminal as an OSC 52 sequence (`ESC ] 52 ; c ; <base64> BEL`): the
terminal, not this machine, owns the clipboard, so copying works over SSH, and
inside tmux once `set -g set-clipboard on` lets tmux take the sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ecr_tui.core.models import Image
from ecr_tui.core.uris import docker_pull_command, image_uri

CopyKind = Literal["copy_uri", "copy_digest_uri", "copy_pull_command"]
COPY_KINDS: tuple[CopyKind, ...] = ("copy_uri", "copy_digest_uri", "copy_pull_command")


def copy_kind(action: str) -> CopyKind | None:
    """The copy an images-pane action names, or None for an action that copies nothing."""
    return next((kind for kind in COPY_KINDS if kind == action), None)


@dataclass(frozen=True, slots=True)
class ClipboardText:
    """A text to copy and how the notification names it."""

    label: str
    text: str


def pull_reference(repository_uri: str, image: Image) -> str:
    """`repository_uri:tag` for a tagged image (its first tag), else `repository_uri@digest`.

    Raises ImageReferenceError when the URI, tag or digest is not one Docker accepts.
    """
    if image.tags:
        return image_uri(repository_uri, tag=image.tags[0])
    return image_uri(repository_uri, digest=image.digest)


def clipboard_text(kind: CopyKind, repository_uri: str, image: Image) -> ClipboardText:
    """The text `kind` copies for `image` of the repository at `repository_uri`.

    An untagged image has no tag URI: its image URI is the digest URI. Raises
    ImageReferenceError when the URI, tag or digest is not one Docker accepts.
    """
    if kind == "copy_digest_uri":
        return ClipboardText("digest URI", image_uri(repository_uri, digest=image.digest))
    reference = pull_reference(repository_uri, image)
    if kind == "copy_pull_command":
        return ClipboardText("pull command", docker_pull_command(reference))
    return ClipboardText("image URI", reference)
