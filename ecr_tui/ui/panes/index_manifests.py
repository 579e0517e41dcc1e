"""Reading what image indexes list (BatchGetImage), for the images pane.

An index (a multi-platform image) is one row of the images pane, its platforms
folded under it; what each index lists is read in the background, one call at a
time, the indexes on screen (and a screen either side) first, then every other
index of the repository, so that what is folded does not depend on the screen's
size or scrolling. What was read is kept per digest across repositories and
taken from there when a repository is opened again. The pane that folds and
shows the rows builds on this one.
"""

from __future__ import annotations

from textual import work
from textual.message import Message
from textual.timer import Timer

from ecr_tui.core.errors import explain_error
from ecr_tui.core.models import Image, IndexManifest
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.panes.base import FOLLOW_DELAY, Pane
from ecr_tui.ui.panes.image_tree import ImageTree

# The most index manifests one BatchGetImage call reads (ECR's limit).
MANIFESTS_PER_CALL = 100
# Index manifests kept across repositories (a digest's manifest never changes).
MANIFEST_CACHE_SIZE = 5_000


class IndexManifestsPane(Pane):
    """A pane of images that reads, in the background, what its indexes list."""

    class ManifestsRead(Message):
        """What some indexes list (BatchGetImage), or why it could not be read."""

        def __init__(
            self,
            repository: str,
            digests: list[str],
            manifests: list[IndexManifest],
            problem: str = "",
        ) -> None:
            super().__init__()
            self.repository = repository
            self.digests = digests
            self.manifests = manifests
            self.problem = problem

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(title, id=id)
        # How this repository's manifests hang together (indexes, referrers, archive).
        self.image_tree = ImageTree("")
        self._manifest_timer: Timer | None = None
        self._manifest_cache: dict[tuple[str, str], IndexManifest] = {}
        # An index chosen before its platforms were read (digest, drill in).
        self._chosen_unread: tuple[str, bool] | None = None

    def _refold(self) -> None:
        """Show what the tree now knows (the images pane folds the rows)."""
        raise NotImplementedError

    def _choose_again(self, image: Image, drill_in: bool) -> None:
        """`image` was chosen before its platforms were read (the images pane says so)."""
        raise NotImplementedError

    @property
    def reading_platforms(self) -> bool:
        """True while indexes' manifests are being asked for."""
        return bool(self.image_tree.asked) or self._manifest_timer is not None

    def _manifests_later(self) -> None:
        """Read the unread indexes' manifests once things settle."""
        if self._manifest_timer is None and self.image_tree.still_unread():
            self._manifest_timer = self.set_timer(FOLLOW_DELAY, self._ask_manifests)

    def _ask_manifests(self, also: list[str] | None = None) -> None:
        """Take what the cache knows, then one BatchGetImage: the indexes on screen (and
        a screen either side) first, then the repository's other unread indexes."""
        self._manifest_timer = None
        tree = self.image_tree
        if self._take_cached():
            self._refold()
        if self.reader is None or tree.asked:  # one call at a time; the rest after it
            return
        table = self.table
        top, height = int(table.scroll_y), max(table.size.height, 1)
        window = table.rows[max(top - height, 0) : top + 2 * height]
        on_screen = tree.still_unread([*(also or ()), *(image.digest for image in window)])
        wanted = list(dict.fromkeys([*on_screen, *tree.still_unread()]))[:MANIFESTS_PER_CALL]
        if wanted:
            tree.asked.update(wanted)
            self._read_manifests(self.reader, tree.repository, wanted)

    def _take_cached(self) -> bool:
        """Fold in the unread indexes' manifests read before (on an earlier visit: a
        digest's manifest never changes); True if there were any."""
        tree, cache = self.image_tree, self._manifest_cache
        if not tree.unread or not cache:
            return False
        cached = [cache[key] for d in tree.unread if (key := (tree.repository, d)) in cache]
        return bool(cached) and tree.add_manifests(cached)

    @work(thread=True, group="image-manifests", exit_on_error=False)
    def _read_manifests(self, reader: Reader, repository: str, digests: list[str]) -> None:
        try:
            manifests = reader.index_manifests(repository, digests)
        except Exception as error:  # told in the line under the table, not a popup per screen
            problem = explain_error(error).title
            self.post_message(self.ManifestsRead(repository, digests, [], problem))
            return
        self.post_message(self.ManifestsRead(repository, digests, manifests))

    def on_index_manifests_pane_manifests_read(self, message: ManifestsRead) -> None:
        """Fold in what the indexes list; an answer about another repository is dropped."""
        message.stop()
        tree = self.image_tree
        if message.repository != tree.repository:
            return
        manifests = message.manifests
        if message.problem:  # not asked again until a refresh
            manifests = [
                IndexManifest(tree.repository, d, "", (), "", message.problem)
                for d in message.digests
            ]
        else:
            for manifest in manifests:
                if not manifest.problem:
                    self._remember_manifest(manifest)
        if tree.add_manifests(manifests):
            self._refold()
        waiting, self._chosen_unread = self._chosen_unread, None
        current: Image | None = self.table.current_row
        if waiting is not None and current is not None and current.digest == waiting[0]:
            # Chosen before its platforms were known: the findings pane gets them now.
            self._choose_again(current, waiting[1])
        self._manifests_later()  # the next indexes: those on screen now first

    def platforms_of(self, image: Image, drill_in: bool = False) -> list[tuple[str, str]] | None:
        """An index's platforms as the findings pane takes them (label, digest); None
        while not read yet: they are asked for, and the index is chosen again once read.
        A plain image has none."""
        if not image.is_index or image.repository != self.image_tree.repository:
            return []
        manifest = self.image_tree.manifests.get(image.digest)
        if manifest is None:
            self._chosen_unread = (image.digest, drill_in)
            if image.digest not in self.image_tree.asked:
                self._ask_manifests(also=[image.digest])
            return None
        return [(entry.platform or entry.digest[:19], entry.digest) for entry in manifest.platforms]

    def _remember_manifest(self, manifest: IndexManifest) -> None:
        cache = self._manifest_cache
        if len(cache) >= MANIFEST_CACHE_SIZE:
            del cache[next(iter(cache))]
        cache[(manifest.repository, manifest.digest)] = manifest
