"""The rows a table holds: kept sorted, merged a page at a time, sorted and filtered.

No Textual here: `RowStore` is the data side of `widget.VirtualTable`, which shows
its rows and keeps the cursor. Pages of 1,000 rows arrive while the user types, so
adding one must not cost Python work per row already held: `SortedRows` keeps rows
sorted with their keys alongside, a page is bisected into place, and only list
copies (C) touch all n. Merges and sorts are generators of steps, so that the
widget can let the event loop run between them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Generator, Hashable, Iterable
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains, indexOf, is_, not_
from typing import Any, Generic, TypeVar

RowT = TypeVar("RowT")
T = TypeVar("T")

# Rows of Python work per step (a millisecond or two): pages held back while keys
# come (see panes.base.PAGES_WAIT_SECONDS) can merge 30,000 rows at once.
MERGE_STEP_ROWS = 2_000


class RowStore(Generic[RowT]):
    """All rows and the rows the filter lets through, each in sort order."""

    def __init__(self, search_text: Callable[[RowT], str]) -> None:
        self._search_text = search_text
        self.all: SortedRows[RowT] = SortedRows([], [], [])
        self.shown: SortedRows[RowT] = self.all  # the rows the filter lets through
        self.filter_terms: tuple[str, ...] = ()
        # Rows folded away whatever the filter: those whose `hidden_key` is in `hidden`.
        self.hidden: frozenset[Hashable] = frozenset()
        self.hidden_key: Callable[[RowT], Hashable] | None = None
        self._hidden_count: tuple[int, int] = (-1, 0)  # (version, count)
        self.sort_key: Callable[[RowT], Any] | None = None
        self.sort_reverse = False
        self._arrivals = 0  # the sort key of the next row when rows keep arrival order
        # Bumped by every change of the rows held, and by dropping them all: a merge in
        # steps starts again, or gives up, when the rows changed under it.
        self.version = 0
        self.generation = 0

    def clear(self) -> None:
        """Drop every row."""
        self.generation += 1
        self.version += 1
        self.all = self.shown = SortedRows([], [], [])
        self._arrivals = 0

    def replace(self, rows: list[RowT], texts: list[str] | None = None) -> None:
        """Hold `rows`, given in display order, instead of the rows held."""
        self.generation += 1
        self.version += 1
        self._arrivals = 0
        self.all = self._sorted(rows, texts)
        self.shown = self._visible(self.all)

    def _visible(self, rows: SortedRows[RowT]) -> SortedRows[RowT]:
        """The rows the filter lets through and that are not hidden."""
        found = rows.containing(self.filter_terms)
        if self.hidden and self.hidden_key is not None:
            found = found.without(self.hidden_key, self.hidden)
        return found

    def set_hidden(self, key: Callable[[RowT], Hashable], values: Iterable[Hashable]) -> None:
        """Fold away the rows whose `key` is one of `values` (none: show every row)."""
        self.version += 1
        self.hidden_key, self.hidden = key, frozenset(values)
        self.shown = self._visible(self.all)

    @property
    def hidden_rows(self) -> int:
        """How many rows held are hidden (worked out once per change of the rows)."""
        version, count = self._hidden_count
        if version != self.version:
            count = 0
            if self.hidden and self.hidden_key is not None:
                count = len(self.all.rows) - len(
                    self.all.without(self.hidden_key, self.hidden).rows
                )
            self._hidden_count = (self.version, count)
        return count

    def search_texts(self, rows: Iterable[RowT]) -> list[str]:
        """The rows' lower-cased search texts (pure: a loading worker may call it)."""
        search = self._search_text
        return [search(row).lower() for row in rows]

    def merge_steps(
        self, rows: list[RowT], texts: list[str] | None
    ) -> Generator[bool, None, list[int] | None]:
        """Steps (False) of a merge, then True when it is ready to take in.

        Then, on the next step, take it in and return where the rows went among those
        shown, or None if the rows were dropped meanwhile (`clear`, `replace`).
        """
        generation = self.generation
        if texts is None:
            texts = self.search_texts(rows)
        merged: tuple[SortedRows[RowT], SortedRows[RowT], list[int]] | None = None
        while merged is None:
            version = self.version
            steps = self._merged(rows, texts)
            while merged is None:
                try:
                    next(steps)
                except StopIteration as finished:
                    merged = finished.value
                    yield True
                else:
                    yield False
                if self.generation != generation:
                    return None  # dropped: this page belonged to them
                if self.version != version:
                    merged = None  # sorted, filtered or added to meanwhile: merge again
                    break
        self.all, self.shown, at = merged
        self.version += 1
        return at

    def _merged(
        self, rows: list[RowT], texts: list[str]
    ) -> Generator[None, None, tuple[SortedRows[RowT], SortedRows[RowT], list[int]]]:
        """All rows and the rows shown with `rows` merged in, and where they went in the latter."""
        page = yield from self._sorting(rows, texts)
        after_equal = not self.sort_reverse
        at = yield from self.all.insert_points(page.keys, after_equal)
        merged_all = yield from self.all.inserted(page, at)
        if not self.filter_terms and not self.hidden:
            return merged_all, merged_all, at
        # Filter just the page and merge what passes: the rest was filtered already.
        page = self._visible(page)
        at = yield from self.shown.insert_points(page.keys, after_equal)
        merged_shown = yield from self.shown.inserted(page, at)
        return merged_all, merged_shown, at

    def set_filter(self, terms: tuple[str, ...]) -> None:
        """Let through only rows whose search text holds every one of `terms`."""
        self.version += 1
        old, self.filter_terms = self.filter_terms, terms
        # A longer filter only narrows: search what the shorter one left, not every row.
        narrows = len(terms) >= len(old) > 0 and all(
            a in b for a, b in zip(old, terms, strict=False)
        )
        self.shown = self.shown.containing(terms) if narrows else self._visible(self.all)

    def set_sort(self, key: Callable[[RowT], Any] | None, reverse: bool) -> None:
        """Order rows by `key` (None keeps arrival order, and ignores `reverse`)."""
        # Sort the rows as shown now, so that equal keys keep their current order.
        rows, texts = self.all.rows, self.all.texts
        if self.sort_reverse:
            rows, texts = rows[::-1], texts[::-1]
        self.sort_key, self.sort_reverse = key, reverse and key is not None
        self.version += 1
        self._arrivals = 0
        self.all = self._sorted(rows, texts)
        self.shown = self._visible(self.all)

    def _sorted(self, rows: list[RowT], texts: list[str] | None = None) -> SortedRows[RowT]:
        """`rows`, given in display order, with their keys and texts in `SortedRows` order."""
        return _finish(self._sorting(rows, texts))

    def _sorting(
        self, rows: list[RowT], texts: list[str] | None = None
    ) -> Generator[None, None, SortedRows[RowT]]:
        """`_sorted` in steps."""
        if texts is None:
            texts = self.search_texts(rows)
        if self.sort_key is None:
            start, self._arrivals = self._arrivals, self._arrivals + len(rows)
            return SortedRows(list(range(start, self._arrivals)), rows, texts)
        keys: list[Any] = []
        for start in range(0, len(rows), MERGE_STEP_ROWS):
            keys += map(self.sort_key, rows[start : start + MERGE_STEP_ROWS])
            yield
        # Sort positions, not (key, row, text) tuples: those were a tuple per row to
        # build and take apart (touching every row, and waking the garbage collector),
        # 50 ms for 30,000 rows in one step. Stable, and never compares rows.
        positions = range(len(rows) - 1, -1, -1) if self.sort_reverse else range(len(rows))
        # (Stored ascending and shown backwards: equal keys are stored backwards too,
        # so that they show in the order given.)
        order = sorted(positions, key=keys.__getitem__)
        yield
        picked: SortedRows[RowT] = SortedRows([], [], [])
        for start in range(0, len(order), MERGE_STEP_ROWS):
            part = order[start : start + MERGE_STEP_ROWS]
            picked.keys.extend(map(keys.__getitem__, part))
            picked.rows.extend(map(rows.__getitem__, part))
            picked.texts.extend(map(texts.__getitem__, part))
            yield
        return picked

    def replace_row(self, old: RowT, new: RowT) -> bool:
        """Hold `new` instead of `old`: in its place, or where a new sort key puts it.

        False if `old` is not held. A few list copies (C), nothing per row held.
        """
        at = _position(self.all.rows, old)
        if at is None:
            return False
        keys, rows, texts = self.all.keys[:], self.all.rows[:], self.all.texts[:]
        key = keys[at] if self.sort_key is None else self.sort_key(new)
        (text,) = self.search_texts([new])
        if key != keys[at]:
            del keys[at], rows[at], texts[at]
            at = (bisect_right if not self.sort_reverse else bisect_left)(keys, key)
            keys.insert(at, key)
            rows.insert(at, new)
            texts.insert(at, text)
        else:
            rows[at], texts[at] = new, text
        self.version += 1
        self.all = SortedRows(keys, rows, texts)
        self.shown = self.all.containing(self.filter_terms)
        return True

    def locate(self, row: RowT | None) -> int | None:
        """Where `row` is in `shown`, found by bisecting its sort key.

        The key is computed afresh, as the sort may just have changed. A scan would
        touch every row, each one a cache miss.
        """
        if row is None:
            return None
        if self.sort_key is None:  # arrival numbers are not kept per row: scan
            return _position(self.shown.rows, row)
        return self.shown.index(self.sort_key(row), row)


@dataclass(frozen=True, slots=True)
class SortedRows(Generic[RowT]):
    """Rows in ascending order of sort key, with each one's key and search text alongside.

    Parallel lists rather than a list of tuples: bisect searches `keys` directly,
    filters run over `texts` in C, and `rows` is what the table shows. The lists
    are never modified, only replaced, so a `SortedRows` can share them with another.
    """

    keys: list[Any]
    rows: list[RowT]
    texts: list[str]

    def insert_points(self, keys: list[Any], after_equal: bool) -> Generator[None, None, list[int]]:
        """Where each of the ascending `keys` goes among ours: after or before equal keys.

        In steps of MERGE_STEP_ROWS keys (see widget.VirtualTable.extend_in_steps).
        """
        search = bisect_right if after_equal else bisect_left
        at: list[int] = []
        start = 0
        for count, key in enumerate(keys, 1):
            start = search(self.keys, key, start)
            at.append(start)
            if not count % MERGE_STEP_ROWS:
                yield
        yield
        return at

    def inserted(
        self, new: SortedRows[RowT], at: list[int]
    ) -> Generator[None, None, SortedRows[RowT]]:
        """These rows with each of `new` put before our row at its insert point.

        In steps of a list's copy, or of MERGE_STEP_ROWS new rows.
        """
        keys = yield from _inserting(self.keys, new.keys, at)
        rows = yield from _inserting(self.rows, new.rows, at)
        texts = yield from _inserting(self.texts, new.texts, at)
        return SortedRows(keys, rows, texts)

    def containing(self, terms: Iterable[str]) -> SortedRows[RowT]:
        """The rows whose search text holds every term."""
        found = self
        for term in terms:
            # `term in text` for every row, without a Python-level call per row.
            found = found.where(list(map(contains, found.texts, repeat(term))))
        return found

    def without(
        self, key: Callable[[RowT], Hashable], values: frozenset[Hashable]
    ) -> SortedRows[RowT]:
        """The rows whose `key` is not one of `values` (in C, but for `key`)."""
        return self.where(list(map(not_, map(values.__contains__, map(key, self.rows)))))

    def where(self, hits: list[bool]) -> SortedRows[RowT]:
        """The rows whose hit is True."""
        count = hits.count(True)
        if count == len(hits):
            return self
        if count * 4 >= len(hits):
            return SortedRows(
                list(compress(self.keys, hits)),
                list(compress(self.rows, hits)),
                list(compress(self.texts, hits)),
            )
        # Few hits: fetch them by position. The rows, keys and texts lie scattered
        # over the heap, and `compress` would touch every one of them (a cache miss each).
        at = list(compress(range(len(hits)), hits))
        return SortedRows(_pick(self.keys, at), _pick(self.rows, at), _pick(self.texts, at))

    def index(self, key: Any, row: RowT) -> int | None:
        """Where `row`, sorted by `key`, is: bisect the key, then check identity among equals."""
        start = bisect_left(self.keys, key)
        found = _position(self.rows[start : bisect_right(self.keys, key, start)], row)
        return None if found is None else start + found


def _inserting(old: list[T], new: list[T], at: list[int]) -> Generator[None, None, list[T]]:
    """A copy of `old` with `new[i]` before `old[at[i]]`, built from slices of `old`."""
    if not at or at[0] == len(old):  # all after the rows held (arrival order, for one)
        merged = old + new
    else:
        merged = []
        start = 0
        for count, (item, end) in enumerate(zip(new, at, strict=True), 1):
            merged += old[start:end]
            merged.append(item)
            start = end
            if not count % MERGE_STEP_ROWS:
                yield
        merged += old[start:]
    yield
    return merged


def _finish(steps: Generator[None, None, T]) -> T:
    """Run a generator of steps to its end, at once; its return value."""
    while True:
        try:
            next(steps)
        except StopIteration as finished:
            return finished.value  # type: ignore[no-any-return]


def _pick(items: list[T], at: list[int]) -> list[T]:
    return list(map(items.__getitem__, at))


def _position(rows: Iterable[Any], wanted: Any) -> int | None:
    # Compare identity only (dataclass equality runs Python per row), in C, without
    # making an object per row: `is_` answers with the True and False singletons.
    try:
        return indexOf(map(is_, rows, repeat(wanted)), True)
    except ValueError:
        return None
