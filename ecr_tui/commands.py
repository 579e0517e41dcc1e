"""The command bar's language: what `:repo NAME`, `:region NAME`, `:q` mean, and completion.

Pure text in, values out, with no Textual: the bar (`ui/command_bar.py`) shows
what these return, and `ui/command_runner.py` does what a command asks. Every
input parses to a `Command` or a `CommandError` that says what is wrong and,
when something is close, what was probably meant; nothing here raises.

Arguments are checked against what the app knows (the loaded repositories, the
open repository's tags and digests, the profiles and regions) in `resolve`:
the same lists the completion offers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# What an argument names, to look it up: the completion and `resolve` take
# candidates by these kinds.
REPOSITORY = "repository"
IMAGE = "image"
URI = "uri"
PROFILE = "profile"
REGION = "region"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: its name, the aliases it also answers to, and its argument."""

    name: str
    aliases: tuple[str, ...]
    argument: str | None  # the kind of argument it needs (REPOSITORY, ...), or None
    placeholder: str  # how the help writes the argument: NAME, TAG|DIGEST
    help: str


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("repo", (), REPOSITORY, "NAME", "open a repository (fuzzy: the best match)"),
    CommandSpec("image", (), IMAGE, "TAG|DIGEST", "go to an image of the open repository"),
    CommandSpec("uri", (), URI, "URI", "go to an image by its URI (as ctrl+g)"),
    CommandSpec("profile", (), PROFILE, "NAME", "switch to another AWS profile"),
    CommandSpec("region", (), REGION, "NAME", "switch to another region"),
    CommandSpec("help", (), None, "", "every key and command"),
    CommandSpec("quit", ("q",), None, "", "quit ecr-tui"),
)

_BY_NAME: dict[str, CommandSpec] = {
    word: spec for spec in SPECS for word in (spec.name, *spec.aliases)
}
# Every word that names a command, aliases included, in the order the completion offers them.
COMMAND_WORDS: tuple[str, ...] = tuple(_BY_NAME)


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command: its canonical name and its argument ("" when it takes none)."""

    name: str
    argument: str = ""

    @property
    def spec(self) -> CommandSpec:
        """What the command is (its argument's kind, its help)."""
        return _BY_NAME[self.name]


@dataclass(frozen=True, slots=True)
class CommandError:
    """Why a command line cannot be run, in one line, and what was probably meant."""

    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        return self.message


def usage(spec: CommandSpec) -> str:
    """`:repo NAME`, `:help`."""
    return f":{spec.name} {spec.placeholder}".rstrip()


def help_rows() -> list[tuple[str, str]]:
    """(usage, what it does) of every command, aliases included, for the help screen."""
    return [
        (", ".join([usage(spec), *(f":{alias}" for alias in spec.aliases)]), spec.help)
        for spec in SPECS
    ]


def parse(text: str) -> Command | CommandError:
    """Read one command line (with or without its leading `:`)."""
    words = text.strip().removeprefix(":").split()
    if not words:
        listed = ", ".join(f":{spec.name}" for spec in SPECS)
        return CommandError(f"type a command: {listed}")
    word, arguments = words[0], words[1:]
    spec = _BY_NAME.get(word.lower())
    if spec is None:
        close = closest(word.lower(), COMMAND_WORDS)
        if close is None:
            listed = ", ".join(f":{spec.name}" for spec in SPECS)
            return CommandError(f"unknown command :{word}; the commands are {listed}")
        return CommandError(f"unknown command :{word}; did you mean :{close}?", f":{close}")
    if spec.argument is None:
        if arguments:
            return CommandError(f":{spec.name} takes no argument (got {' '.join(arguments)})")
        return Command(spec.name)
    if not arguments:
        return CommandError(f"{usage(spec)}: which {spec.argument}? (tab lists them)")
    if len(arguments) > 1:
        return CommandError(
            f"{usage(spec)} takes one {spec.argument}, not {len(arguments)} words"
            " (names have no spaces)"
        )
    return Command(spec.name, arguments[0])


def render(command: Command) -> str:
    """The command line that parses back to `command` (without the `:`)."""
    return f"{command.name} {command.argument}".rstrip()


# -- matching ---------------------------------------------------------------------------


def closest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate `word` is most likely a typo of, if one is close enough."""
    if not candidates:
        return None
    lowered = {candidate.lower(): candidate for candidate in candidates}
    # A transposition (rgeion) counts as a small change: the ratio sees it as two.
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


def fuzzy_matches(query: str, candidates: Sequence[str]) -> list[str]:
    """The candidates `query` names, best first: exact, then the name's last part, then a
    prefix, then a part's prefix, then a substring, then the letters in order (as fzf)."""
    wanted = query.lower()
    if not wanted:
        return []
    # The letters in order, as few apart as may be: one regular expression for all (a
    # loop in Python over thousands of names cost a keystroke 0.1 s).
    in_order = re.compile(".*?".join(f"({re.escape(letter)})" for letter in wanted))
    ranked: list[tuple[tuple[int, int, int, str], str]] = []
    for candidate in candidates:
        rank = _fuzzy_rank(wanted, candidate.lower(), in_order)
        if rank is not None:
            ranked.append(((rank[0], rank[1], len(candidate), candidate), candidate))
    ranked.sort(key=lambda pair: pair[0])
    return [candidate for _, candidate in ranked]


def _fuzzy_rank(wanted: str, name: str, in_order: re.Pattern[str]) -> tuple[int, int] | None:
    """(class, spread) of how `name` matches `wanted`; lower is better; None: no match."""
    at = name.find(wanted)
    if at < 0:
        found = in_order.search(name)
        return None if found is None else (5, found.end() - found.start() - len(wanted))
    if name == wanted:
        return (0, 0)
    if name.rsplit("/", 1)[-1] == wanted:
        return (1, 0)
    if at == 0:
        return (2, 0)
    if any(separator + wanted in name for separator in "/_.-"):
        return (3, 0)
    return (4, at)


# -- resolving arguments against what the app knows --------------------------------------


def resolve(command: Command, candidates: Sequence[str]) -> str | CommandError:
    """The name `command`'s argument stands for among `candidates`, or why there is none.

    A repository is matched fuzzily (the best match); a profile or a region must
    be one of them exactly (a wrong one would connect somewhere unintended); an
    image is matched by `resolve_image`; a URI is not looked up here.
    """
    kind, argument = command.spec.argument, command.argument
    if kind == REPOSITORY:
        matches = fuzzy_matches(argument, candidates)
        if matches:
            return matches[0]
    elif kind in (PROFILE, REGION):
        if argument in candidates:
            return argument
    else:
        return argument
    close = closest(argument, candidates)
    hint = f"; did you mean {close}?" if close else ""
    return CommandError(f"no {kind} {argument}{hint}", close)


_HEX = re.compile(r"(sha256:)?[0-9a-f]{6,64}")


def resolve_image(argument: str, tags: Sequence[str], digests: Sequence[str]) -> str | CommandError:
    """The tag or the full digest `argument` names: a tag as written, else a digest or
    a unique prefix of one (at least 6 hex digits, with or without `sha256:`)."""
    if argument in tags:
        return argument
    if _HEX.fullmatch(argument):
        hex_part = argument.removeprefix("sha256:")
        found = [d for d in digests if d.removeprefix("sha256:").startswith(hex_part)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return CommandError(
                f"{len(found)} images have digests starting {hex_part}: give more digits"
            )
    close = closest(argument, tags)
    hint = f"; did you mean {close}?" if close else ""
    return CommandError(f"no image tagged {argument}{hint}", close)


# -- completion -----------------------------------------------------------------------------


def complete(text: str, candidates: Mapping[str, Sequence[str]]) -> list[str]:
    """Whole command lines that `text` (what is typed, without the `:`) may become.

    The command word completes from the commands; an argument from
    `candidates[kind]` (REPOSITORY: the loaded repositories, ...): those it is a
    prefix of first, then (for repositories) those it matches fuzzily.
    """
    stripped = text.lstrip()
    if " " not in stripped:
        word = stripped.lower()
        return [
            name if _BY_NAME[name].argument is None else f"{name} "
            for name in COMMAND_WORDS
            if name.startswith(word)
        ]
    word, _, rest = stripped.partition(" ")
    spec = _BY_NAME.get(word.lower())
    argument = rest.lstrip()
    if spec is None or spec.argument is None or " " in argument:
        return []
    names = candidates.get(spec.argument, ())
    offered = [name for name in names if name.startswith(argument)]
    # Fuzzily for repositories only: tags and digests are typed from their start, and
    # a repository of 5,000 images has 10,000 of them to search at every key.
    if spec.argument == REPOSITORY and argument:
        seen = set(offered)
        offered += [name for name in fuzzy_matches(argument, names) if name not in seen]
    return [f"{spec.name} {name}" for name in offered]


def common_prefix(lines: Sequence[str]) -> str:
    """The longest start all of `lines` share."""
    if not lines:
        return ""
    first, last = min(lines), max(lines)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]
