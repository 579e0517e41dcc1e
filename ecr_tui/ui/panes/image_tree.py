"""How one repository's manifests hang together, for the images pane (no Textual here).

ECR lists every manifest as an image of its own: an index and each of its
platforms' images (untagged), buildx's attestation manifests, and OCI 1.1
referrers (signatures, SBOMs, attestations) beside the image they describe.
`ImageTree` is fed the images as they load and the index manifests as they come
(BatchGetImage), and says what the pane folds away (an index's untagged
children, referrers whose subject is listed), what each row is, which referrers
it has, and how the index's platforms were scanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter, contains, itemgetter, not_

from ecr_tui.core.media_types import (
    IMAGE_CONFIG_MEDIA_TYPES,
    INDEX_MEDIA_TYPES,
    ImageKind,
    ReferrerKind,
    artifact_name,
    referrer_kind,
)
from ecr_tui.core.models import (
    NO_SEVERITIES,
    Image,
    IndexManifest,
    ManifestEntry,
    ScanState,
)

_DIGEST = attrgetter("digest")
_ARCHIVED = frozenset({"ARCHIVED", "ACTIVATING"})
# The artifact types of a plain container image (none is one too).
_PLAIN_CONFIGS = IMAGE_CONFIG_MEDIA_TYPES | {""}
# What a plain image's fields hold, field by field (by position in Image): media type,
# artifact type, subject, status. A row with another value is looked at in Python.
_PLAIN_FIELDS = (
    (
        itemgetter(9),
        frozenset(
            {
                "",
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.oci.image.manifest.v1+json",
            }
        ),
    ),
    (itemgetter(10), _PLAIN_CONFIGS),
    (itemgetter(11), frozenset({""})),
    (itemgetter(12), frozenset({"", "ACTIVE"})),
)

# cosign's older scheme: a signature (attestation, SBOM) is a tagged manifest named
# after its subject, `sha256-<hex>.sig`, with no subject field.
_COSIGN_TAG = re.compile(r"^sha256-([0-9a-f]{64})\.(sig|att|sbom)$")
_COSIGN_KINDS = {
    "sig": ReferrerKind.SIGNATURE,
    "att": ReferrerKind.ATTESTATION,
    "sbom": ReferrerKind.SBOM,
}

# The badge letters of the Refs column, in the order shown.
REFERRER_LETTERS = {
    ReferrerKind.SIGNATURE: "S",
    ReferrerKind.SBOM: "B",
    ReferrerKind.ATTESTATION: "A",
    ReferrerKind.OTHER: "+",
}


def search_text(image: Image) -> str:
    """What `/` searches: the tags, the digest, and `is:` words for what is not a plain
    image (`is:index`, `is:archived`, `is:referrer`, `is:artifact`, ...)."""
    words = [*image.tags, image.digest]
    if image.image_status not in ("", "ACTIVE"):
        words.append(f"is:{image.image_status.lower()}")
    kind = image.kind
    if kind is not ImageKind.IMAGE:
        words.append(f"is:{kind.value}")
    if kind is ImageKind.REFERRER:
        words.append(f"is:{referrer_kind(image.artifact_media_type).value.lower()}")
    elif kind is ImageKind.ARTIFACT:
        words.append(f"is:{artifact_name(image.artifact_media_type).lower().replace(' ', '-')}")
    return " ".join(words)


def _plain_text(image: Image) -> str:
    return " ".join((*image.tags, image.digest)).lower()


def page_texts(rows: Sequence[Image]) -> tuple[list[str], list[Image]]:
    """A page's search texts (lower-cased) and its notable rows: those not plain images.

    Run in the loading worker, so the UI thread looks only at the few notable rows.
    Nearly every row of a big repository is plain: such a page is told apart by
    C-level passes over interned strings, and its texts are the tags and digest, as
    they always were.
    """
    texts = list(map(_plain_text, rows))
    positions = range(len(rows))
    notable: set[int] = set()
    for field, plain in _PLAIN_FIELDS:
        if not set(map(field, rows)) <= plain:
            notable.update(
                compress(positions, map(not_, map(plain.__contains__, map(field, rows))))
            )
    # cosign's tag scheme: `sha256-<hex>.sig` tags (their text holds "sha256-").
    notable.update(compress(positions, map(contains, texts, repeat("sha256-"))))
    for at in notable:
        texts[at] = search_text(rows[at]).lower()
    return texts, [rows[at] for at in sorted(notable)]


def notable_rows(rows: Sequence[Image]) -> list[Image]:
    """The rows that are not plain images (what `page_texts` says, without the texts)."""
    return page_texts(rows)[1]


@dataclass(frozen=True, slots=True)
class IndexScan:
    """How an index's platforms were scanned: the worst platform's counts, or a state."""

    state: ScanState | None  # None: no platform of it is listed (or not known yet)
    severity_row: tuple[int, ...]
    platform: str  # the worst platform, when one has findings
    scanned: int  # platforms with a complete scan
    platforms: int  # platforms listed in this repository


class ImageTree:
    """What the images pane knows of how one repository's manifests hang together."""

    def __init__(self, repository: str) -> None:
        self.repository = repository
        self._pages: list[Sequence[Image]] = []  # what was taken in, page by page
        self._by_digest: dict[str, Image] | None = None  # see `by_digest`
        self._newer: dict[str, Image] = {}  # records replaced before it was built
        self.indexes: dict[str, Image] = {}  # index images, by digest
        self.manifests: dict[str, IndexManifest] = {}  # what each index lists, once read
        self.asked: set[str] = set()  # indexes asked about, not answered yet
        # Indexes listed whose manifests are not read yet, in the order they were listed:
        # while any is left, what is folded (and the count) is provisional.
        self.unread: dict[str, None] = {}
        self.parent_of: dict[str, str] = {}  # a listed manifest -> the index listing it
        self.entry_of: dict[str, ManifestEntry] = {}  # ... and how the index lists it
        self.referrers: dict[str, list[tuple[Image, ReferrerKind]]] = {}  # by subject
        self.archived = 0  # ARCHIVED or ACTIVATING
        self.special: set[str] = set()  # rows that are not plain images (Type column)
        self.expanded: set[str] = set()  # indexes shown with their platforms under them
        self.show_all = False  # every manifest its own row, nothing folded
        self._scans: dict[str, IndexScan] = {}  # cache, dropped when anything changes
        self.scans_version = 0  # bumped when it is dropped: an index may sort elsewhere

    # -- feeding ------------------------------------------------------------------------

    def add(self, rows: Sequence[Image], notable: Sequence[Image] | None = None) -> bool:
        """Take in a page of images, with its `notable_rows` when worked out already;
        True if what is folded may have changed.

        A thousand rows a page, 100 pages for a big repository, on the UI thread: only
        the notable rows are looked at; the page itself is kept by reference.
        """
        self._pages.append(rows)
        if notable is None:
            notable = notable_rows(rows)
        if self._by_digest is not None:
            self._by_digest.update(zip(map(_DIGEST, rows), rows, strict=True))
        changed = False
        for image in notable:
            if image.image_status in _ARCHIVED:
                self.archived += 1
                self.special.add(image.digest)
            if image.subject_digest:
                kind = referrer_kind(image.artifact_media_type)
                self.referrers.setdefault(image.subject_digest, []).append((image, kind))
                self.special.add(image.digest)
                changed = True
            elif image.media_type in INDEX_MEDIA_TYPES:
                self.indexes[image.digest] = image
                if image.digest not in self.manifests:
                    self.unread[image.digest] = None
                self.special.add(image.digest)
                changed = True
            elif image.artifact_media_type not in _PLAIN_CONFIGS:
                self.special.add(image.digest)
            if image.tags and any(tag.startswith("sha256-") for tag in image.tags):
                changed |= self._add_cosign_tags(image)
        if changed:
            self._forget_scans()
        return changed

    def replaced(self, image: Image) -> bool:
        """A newer record of an image taken in (its scan came); True when an index's
        worst scan may have changed with it."""
        if image.repository != self.repository:
            return False
        if self._by_digest is not None:
            self._by_digest[image.digest] = image
        else:
            self._newer[image.digest] = image  # over its page's record, once indexed
        if image.digest in self.parent_of:
            self._forget_scans()
            return True
        return False

    @property
    def by_digest(self) -> dict[str, Image]:
        """Every image taken in, by digest: built when first needed (a repository of
        plain images never needs it), then kept up to date."""
        if self._by_digest is None:
            self._by_digest = {}
            for rows in self._pages:
                self._by_digest.update(zip(map(_DIGEST, rows), rows, strict=True))
            self._by_digest.update(self._newer)
        return self._by_digest

    def _forget_scans(self) -> None:
        self._scans.clear()
        self.scans_version += 1

    def _add_cosign_tags(self, image: Image) -> bool:
        found = False
        for tag in image.tags:
            match = _COSIGN_TAG.match(tag)
            if match:
                subject = f"sha256:{match.group(1)}"
                kind = _COSIGN_KINDS[match.group(2)]
                self.referrers.setdefault(subject, []).append((image, kind))
                self.special.add(image.digest)
                found = True
        return found

    def still_unread(self, digests: Iterable[str] | None = None) -> list[str]:
        """The unread indexes among `digests` (all of them, in listing order, when None)
        that are not asked for either: what is to be read next."""
        if digests is None:
            digests = self.unread
        return [d for d in digests if d in self.unread and d not in self.asked]

    def provisional(self, image: Image) -> bool:
        """True for an untagged plain image while indexes are unread: ECR lists a
        platform's image as an untagged image like any other (nothing in DescribeImages
        names its index), so until every index is read it may be one or not."""
        return (
            bool(self.unread)
            and not image.tags
            and image.digest not in self.parent_of
            and image.kind is ImageKind.IMAGE
        )

    def add_manifests(self, manifests: Iterable[IndexManifest]) -> bool:
        """Take in what indexes list; False if none of it is about this repository."""
        changed = False
        for manifest in manifests:
            if manifest.repository != self.repository:
                continue  # a late answer about another repository
            self.asked.discard(manifest.digest)
            self.unread.pop(manifest.digest, None)
            self.manifests[manifest.digest] = manifest
            for entry in manifest.entries:
                self.parent_of.setdefault(entry.digest, manifest.digest)
                self.entry_of.setdefault(entry.digest, entry)
            changed = True
        if changed:
            self._forget_scans()
        return changed

    def forget_asked(self, digests: Iterable[str]) -> None:
        """These were asked about but never answered (the call failed): ask again later."""
        self.asked.difference_update(digests)

    # -- what is folded ---------------------------------------------------------------

    def hidden(self) -> frozenset[str]:
        """The digests the pane does not list as rows of their own."""
        if self.show_all:
            return frozenset()
        hidden: set[str] = set()
        by_digest = self.by_digest
        for subject, referrers in self.referrers.items():
            if subject in by_digest:  # else nothing would show it: keep it listed
                hidden.update(image.digest for image, _ in referrers)
        for child, parent in self.parent_of.items():
            image = by_digest.get(child)
            if image is not None and not image.tags and parent not in self.expanded:
                hidden.add(child)
        return frozenset(hidden)

    def placed_children(self) -> dict[str, tuple[Image, int]]:
        """The rows under an expanded index: digest -> (the index, its rank under it)."""
        placed: dict[str, tuple[Image, int]] = {}
        for parent in self.expanded:
            index = self.indexes.get(parent)
            manifest = self.manifests.get(parent)
            if index is None or manifest is None:
                continue
            ordered = [*manifest.platforms, *manifest.attestations]
            for rank, entry in enumerate(ordered, 1):
                child = self.by_digest.get(entry.digest)
                if child is not None and not child.tags and entry.digest not in placed:
                    placed[entry.digest] = (index, rank)
        return placed

    def toggle_expanded(self, image: Image) -> bool | None:
        """Expand or collapse an index; True when now expanded, None if not an index."""
        if image.digest not in self.indexes:
            return None
        if image.digest in self.expanded:
            self.expanded.discard(image.digest)
            return False
        self.expanded.add(image.digest)
        return True

    def parent(self, image: Image) -> Image | None:
        """The index listing this image, when known."""
        parent = self.parent_of.get(image.digest)
        return None if parent is None else self.indexes.get(parent)

    @property
    def folded(self) -> int:
        """How many listed manifests are folded away (not rows of their own)."""
        return len(self.hidden())

    # -- what a row says ----------------------------------------------------------------

    def kind(self, image: Image) -> ImageKind:
        """What the row is, knowing the indexes read so far."""
        entry = self.entry_of.get(image.digest)
        if entry is not None and not image.subject_digest:
            return ImageKind.ATTESTATION_MANIFEST if entry.is_attestation else ImageKind.PLATFORM
        kind = image.kind
        if kind is ImageKind.IMAGE and image.tags and _COSIGN_TAG.match(image.tags[0]):
            return ImageKind.REFERRER
        return kind

    def referrer_kinds(
        self, image: Image, *, attestation_manifests: bool = True
    ) -> list[ReferrerKind]:
        """The kinds of the referrers of `image` (and, for an index, of its platforms);
        buildx's attestation manifests count as attestations unless told otherwise."""
        kinds = [kind for _, kind in self.referrers.get(image.digest, ())]
        manifest = self.manifests.get(image.digest)
        if manifest is not None:
            for entry in manifest.entries:
                kinds.extend(kind for _, kind in self.referrers.get(entry.digest, ()))
            if manifest.attestations and attestation_manifests:
                kinds.append(ReferrerKind.ATTESTATION)
        return kinds

    def badges(self, image: Image) -> str:
        """The Refs column: S signed, B SBOM, A attestations, + others."""
        if not self.referrers and not self.manifests:
            return ""
        kinds = set(self.referrer_kinds(image))
        return "".join(letter for kind, letter in REFERRER_LETTERS.items() if kind in kinds)

    def index_scan(self, index: Image) -> IndexScan:
        """The worst scan among the index's platforms listed here."""
        cached = self._scans.get(index.digest)
        if cached is not None:
            return cached
        manifest = self.manifests.get(index.digest)
        scan = IndexScan(None, NO_SEVERITIES, "", 0, 0)
        if manifest is not None:
            children = [(entry, self.by_digest.get(entry.digest)) for entry in manifest.platforms]
            listed = [(entry, image) for entry, image in children if image is not None]
            complete = [
                (image.severity_row, entry.architecture)
                for entry, image in listed
                if image.scan_state is ScanState.COMPLETE
            ]
            if complete:
                row, platform = max(complete)
                scan = IndexScan(ScanState.COMPLETE, row, platform, len(complete), len(listed))
            elif listed:
                # Nothing complete: the state of the first platform says where scans stand.
                state = listed[0][1].scan_state
                scan = IndexScan(state, NO_SEVERITIES, "", 0, len(listed))
        self._scans[index.digest] = scan
        return scan

    def severity_key(self, image: Image) -> tuple[int, ...]:
        """The severity an image sorts by: an index's worst platform's."""
        if image.digest in self.indexes:
            return self.index_scan(image).severity_row
        return image.severity_row

    def type_label(self, image: Image) -> str:
        """The Type column: what the row is, when it is not a plain image."""
        kind = self.kind(image)
        label = ""
        if kind is ImageKind.INDEX:
            manifest = self.manifests.get(image.digest)
            arrow = "▾" if image.digest in self.expanded else "▸"
            if manifest is None:
                label = f"{arrow} index"
            elif manifest.problem and not manifest.entries:
                label = f"{arrow} index ?"
            else:
                label = f"{arrow} " + " ".join(e.architecture for e in manifest.platforms)
        elif kind is ImageKind.PLATFORM:
            label = "platform"
        elif kind is ImageKind.ATTESTATION_MANIFEST:
            label = "attestation"
        elif kind is ImageKind.REFERRER:
            label = self._referrer_label(image)
        elif kind is ImageKind.ARTIFACT:
            label = artifact_name(image.artifact_media_type)
        elif self.provisional(image):
            label = "? reading…"  # a platform of an index not read yet, or not
        if image.image_status == "ARCHIVED":
            label = f"archived {label}".strip()
        elif image.image_status == "ACTIVATING":
            label = f"restoring {label}".strip()
        return label

    def _referrer_label(self, image: Image) -> str:
        kind = referrer_kind(image.artifact_media_type)
        if kind is ReferrerKind.OTHER and image.tags:
            match = _COSIGN_TAG.match(image.tags[0])
            if match:
                kind = _COSIGN_KINDS[match.group(2)]
        return (
            kind.value
            if kind is not ReferrerKind.OTHER
            else artifact_name(image.artifact_media_type)
        )

    def entry_label(self, entry: ManifestEntry) -> str:
        """A manifest an index lists, in a few words: 'linux/arm64', 'attests amd64'."""
        if entry.is_attestation:
            attested = self.entry_of.get(entry.attests)
            return f"attests {attested.architecture if attested is not None else '?'}"
        return entry.platform or "?"

    def child_label(self, image: Image) -> str:
        """The Tags cell of a row shown under its index: which platform it is."""
        entry = self.entry_of.get(image.digest)
        if entry is None:
            return ""
        if entry.is_attestation:
            attested = self.entry_of.get(entry.attests)
            about = attested.architecture if attested is not None else "?"
            return f"└ for {about}"
        return f"└ {entry.platform or '?'}"

    def describe(self, image: Image) -> str:
        """The row's kind in words, for the line under the table."""
        kind = self.kind(image)
        parts: list[str] = []
        if kind is ImageKind.INDEX:
            manifest = self.manifests.get(image.digest)
            noun = "manifest list" if "docker" in image.media_type else "image index"
            if manifest is None:
                parts.append(f"{noun} (platforms not read yet)")
            elif manifest.problem and not manifest.entries:
                parts.append(f"{noun} (platforms unknown: {manifest.problem})")
            else:
                platforms = ", ".join(e.platform or "?" for e in manifest.platforms)
                parts.append(f"{noun}: {platforms}")
                if manifest.attestations:
                    count = len(manifest.attestations)
                    parts.append(f"{count} attestation manifest{'s' * (count != 1)}")
        elif kind in (ImageKind.PLATFORM, ImageKind.ATTESTATION_MANIFEST):
            parent = self.parent(image)
            entry = self.entry_of[image.digest]
            of = _label(parent) if parent is not None else "an index"
            what = (
                "attestation manifest" if kind is ImageKind.ATTESTATION_MANIFEST else entry.platform
            )
            parts.append(f"{what} of {of}")
        elif kind is ImageKind.REFERRER:
            subject = image.subject_digest or self._cosign_subject(image)
            found = self.by_digest.get(subject)
            about = _label(found) if found is not None else f"{subject[:19]}… (not listed)"
            parts.append(f"{self._referrer_label(image)} of {about}")
        elif kind is ImageKind.ARTIFACT:
            parts.append(
                f"{artifact_name(image.artifact_media_type)} ({image.artifact_media_type})"
            )
        elif self.provisional(image):
            count = len(self.unread)
            parts.append(
                "untagged: maybe a platform of an index not read yet"
                f" ({count:,} index{'es' * (count != 1)} to read)"
            )
        kinds = self.referrer_kinds(image, attestation_manifests=False)
        if kinds:
            counts = {kind: kinds.count(kind) for kind in REFERRER_LETTERS if kind in kinds}
            parts.append(
                "referrers: "
                + ", ".join(
                    f"{count} {kind.value}{'s' * (count != 1 and kind is not ReferrerKind.SBOM)}"
                    for kind, count in counts.items()
                )
            )
        return " · ".join(parts)

    def _cosign_subject(self, image: Image) -> str:
        for tag in image.tags:
            match = _COSIGN_TAG.match(tag)
            if match:
                return f"sha256:{match.group(1)}"
        return ""


def _label(image: Image) -> str:
    return image.tags[0] if image.tags else f"@{image.short_digest}"
