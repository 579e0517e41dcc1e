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

from ecr_tui.core.fleet.scope import is_vulnerability_id
from ecr_tui.core.names import image_tag_problem

# What an argument names, to look it up: the completion and `resolve` take
# candidates by these kinds.
REPOSITORY = "repository"
IMAGE = "image"
URI = "uri"
PROFILE = "profile"
REGION = "region"
VULNERABILITY = "vulnerability"


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
    CommandSpec(
        "cve", ("vuln",), VULNERABILITY, "ID", "every image with a vulnerability (the V view)"
    ),
    CommandSpec("help", (), None, "", "every key and command"),
    CommandSpec("quit", ("q",), None, "", "quit ecr-tui"),
)

_BY_NAME: dict[str, CommandSpec] = {
    word: spec for spec in SPECS for word in (spec.name, *spec.aliases)
}
# Every word that names a command, aliases included, in the order the completion offers them.
COMMAND_WORDS: tuple[str, ...] = tuple(_BY_NAME)
# The commands as an error lists them: the very words Tab offers, aliases included.
LISTED_COMMANDS = ", ".join(f":{word}" for word in COMMAND_WORDS)


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
        return CommandError(f"type a command: {LISTED_COMMANDS}")
    word, arguments = words[0], words[1:]
    spec = _BY_NAME.get(word.lower())
    if spec is None:
        close = closest(word.lower(), COMMAND_WORDS)
        if close is None:
            return CommandError(f"unknown command :{word}; the commands are {LISTED_COMMANDS}")
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
        starting = [name for name in candidates if name.startswith(argument)]
        if len(starting) > 1:  # a prefix of several: all of them, never one picked
            return CommandError(f"no {kind} {argument}; {_one_of(starting)}?")
        if starting:
            return CommandError(f"no {kind} {argument}; did you mean {starting[0]}?", starting[0])
    elif kind == VULNERABILITY:
        # Any id may be asked about: the view says whether an image has it.
        problem = vulnerability_id_problem(argument)
        if problem is None:
            return argument.upper()
        return CommandError(problem)
    else:
        return argument
    close = closest(argument, candidates)
    hint = f"; did you mean {close}?" if close else ""
    return CommandError(f"no {kind} {argument}{hint}", close)


def _one_of(names: Sequence[str], most: int = 6) -> str:
    """ "a, b or c" (the first `most`, then how many more)."""
    shown = list(names[:most])
    if len(names) > most:
        return f"{', '.join(shown)} or {len(names) - most} more"
    return f"{', '.join(shown[:-1])} or {shown[-1]}" if len(shown) > 1 else shown[0]


# The forms of the well-known vulnerability ids; other sources' ids (ALAS2-2024-2419,
# RHSA-2024:1234, GO-2024-2687, ...) only need to look like an id.
_ID_FORMS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("CVE-", re.compile(r"CVE-\d{4}-\d{4,}", re.IGNORECASE), "CVE-YYYY-NNNN (4 or more digits)"),
    (
        "GHSA-",
        re.compile(r"GHSA(-[0-9a-z]{4}){3}", re.IGNORECASE),
        "GHSA-xxxx-xxxx-xxxx (three groups of 4 letters or digits)",
    ),
)


def vulnerability_id_problem(argument: str) -> str | None:
    """Why `argument` cannot be a vulnerability id, with the form expected; None if it can."""
    for prefix, form, written in _ID_FORMS:
        if argument.upper().startswith(prefix) and not form.fullmatch(argument):
            return f"not a {prefix[:-1]} id: {argument}; the form is {written}"
    if not is_vulnerability_id(argument):
        return (
            f"not a vulnerability id: {argument}; one such as CVE-2023-38545,"
            " GHSA-xxxx-xxxx-xxxx or ALAS2-2024-2419"
        )
    return None


# A digest prefix is looked up from this many hex digits on (fewer match too many).
DIGEST_PREFIX_MIN = 6
_HEX_DIGITS = re.compile(r"[0-9a-f]{1,64}")
_HEX = re.compile(r"(sha256:)?[0-9a-f]{6,64}")


def image_argument_problem(argument: str) -> str | None:
    """Why `argument` names no image whatever the repository holds, or None.

    `sha256:` must be followed by 6 to 64 hex digits; anything else must be a valid
    tag (ECR's tag rules: letters, digits, '_', '.', '-', not starting with '.' or '-').
    """
    if argument.lower().startswith("sha256:"):
        hex_part = argument[len("sha256:") :]
        if not hex_part:
            return f"an empty digest: give hex digits after sha256: ({DIGEST_PREFIX_MIN} or more)"
        if not _HEX_DIGITS.fullmatch(hex_part):
            return f"not a digest: {argument}; sha256: then up to 64 hex digits (0-9, a-f)"
        if len(hex_part) < DIGEST_PREFIX_MIN:
            wanted = f"give {DIGEST_PREFIX_MIN} or more hex digits"
            return f"digest prefix {argument} is too short: {wanted}"
        return None
    problem = image_tag_problem(argument)
    return None if problem is None else f"not a valid tag: {argument}: {problem}"


def resolve_image(argument: str, tags: Sequence[str], digests: Sequence[str]) -> str | CommandError:
    """The tag or the full digest `argument` names: a tag as written, else a digest or
    a unique prefix of one (at least 6 hex digits, with or without `sha256:`)."""
    if argument in tags:
        return argument
    problem = image_argument_problem(argument)
    if problem is not None:
        return CommandError(problem)
    if _HEX.fullmatch(argument):
        hex_part = argument.removeprefix("sha256:")
        found = [d for d in digests if d.removeprefix("sha256:").startswith(hex_part)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return CommandError(
                f"{len(found)} images have digests starting {hex_part}: give more digits"
            )
        if argument.startswith("sha256:"):
            return CommandError(f"no image with a digest starting {hex_part}")
    what = f"no image tagged {argument}"
    if _HEX.fullmatch(argument):
        what += " and no digest starting so"
    elif _HEX_DIGITS.fullmatch(argument):
        # Hex too short to be looked up as a digest: it may have been meant as one.
        what += f" (a digest prefix needs {DIGEST_PREFIX_MIN} or more hex digits)"
    close = closest(argument, tags)
    hint = f"; did you mean {close}?" if close else ""
    return CommandError(f"{what}{hint}", close)


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
