"""Check the config file's `[keys]` against the bindings: which keys it makes clash.

A clash is a key that two binding ids share where both are active at once (in
one pane, with the keys that work everywhere): only one of them can work there.
Only clashes the config file brings are reported; overlaps the app has by
design (none today) stay quiet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from textual.binding import Binding, BindingType
from textual.keys import _normalize_key_list, format_key  # what App.set_keymap applies

# A place where a set of bindings is active together: its name, and the bindings.
Scope = tuple[str, Sequence[BindingType]]


def _keys_by_id(bindings: Iterable[BindingType], keymap: Mapping[str, str]) -> dict[str, set[str]]:
    """Each binding id's keys as the keymap leaves them, named as Textual names them ("?" is
    "question_mark"), so that "?" in the config file and "question_mark" in code meet."""
    keys: dict[str, set[str]] = {}
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id:
            chosen = _normalize_key_list(keymap.get(binding.id, binding.key))
            keys.setdefault(binding.id, set()).update(chosen.split(","))
    return keys


def _ids_by_key(keys_by_id: Mapping[str, set[str]]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for binding_id, keys in keys_by_id.items():
        for key in keys:
            ids.setdefault(key, set()).add(binding_id)
    return ids


def keymap_clashes(scopes: Sequence[Scope], keymap: Mapping[str, str]) -> list[str]:
    """One line per key the keymap makes two or more binding ids share within a scope.

    E.g. `S: images.scan, images.sort (the images pane)`.
    """
    where: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for name, bindings in scopes:
        defaults = _ids_by_key(_keys_by_id(bindings, {}))
        for key, ids in _ids_by_key(_keys_by_id(bindings, keymap)).items():
            if len(ids) > 1 and not ids <= defaults.get(key, set()):
                where.setdefault((key, tuple(sorted(ids))), []).append(name)
    return [
        f"{format_key(key)}: {', '.join(ids)} ({', '.join(names)})"
        for (key, ids), names in where.items()
    ]
