"""The command bar's language: parsing, completion and matching, without the app."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ecr_tui.commands import (
    COMMAND_WORDS,
    IMAGE,
    PROFILE,
    REGION,
    REPOSITORY,
    SPECS,
    URI,
    Command,
    CommandError,
    closest,
    common_prefix,
    complete,
    fuzzy_matches,
    parse,
    render,
    resolve,
    resolve_image,
)
from ecr_tui.state import StateStore

# An argument as the commands take it: one word, no whitespace.
word = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=40,
).filter(lambda text: not any(c.isspace() for c in text))
names = st.lists(word, min_size=1, max_size=30, unique=True)
commands = st.one_of(
    st.builds(Command, st.sampled_from([s.name for s in SPECS if s.argument]), word),
    st.builds(Command, st.sampled_from([s.name for s in SPECS if not s.argument])),
)


@given(st.text(max_size=80))
def test_any_line_is_a_command_or_a_specific_error(line: str) -> None:
    parsed = parse(line)
    assert isinstance(parsed, Command | CommandError)
    if isinstance(parsed, CommandError):
        assert parsed.message and "\n" not in parsed.message
    else:
        assert parsed.name in COMMAND_WORDS
        assert bool(parsed.argument) == bool(parsed.spec.argument)


@given(commands)
def test_a_rendered_command_parses_back_to_itself(command: Command) -> None:
    assert parse(render(command)) == command
    assert parse(":" + render(command)) == command
    assert parse(f"  {render(command)}  ") == command


@given(commands, names)
def test_completing_any_prefix_of_a_line_offers_it(command: Command, offered: list[str]) -> None:
    if command.argument:
        offered = [*offered, command.argument]
    candidates = {kind: offered for kind in (REPOSITORY, IMAGE, URI, PROFILE, REGION)}
    line = render(command)
    for size in range(len(line) + 1):
        prefix = line[:size]
        completions = [offer.rstrip() for offer in complete(prefix, candidates)]
        if " " in prefix:  # the argument is being typed: the whole line is offered
            assert line in completions, (prefix, completions)
        else:  # the command is being typed: it is offered, and only what starts so
            assert command.name in completions, (prefix, completions)
            assert all(offer.startswith(prefix.lower()) for offer in completions)


@given(st.text(max_size=40), st.dictionaries(st.sampled_from([REPOSITORY, IMAGE]), names))
def test_completion_never_raises_and_each_offer_parses(line: str, candidates: dict) -> None:
    for offer in complete(line, candidates):
        parsed = parse(offer)
        if offer.endswith(" "):  # a command waiting for its argument
            assert isinstance(parsed, CommandError)
        else:
            assert isinstance(parsed, Command)


@given(names, st.data())
def test_a_name_itself_is_its_own_best_fuzzy_match(candidates: list[str], data) -> None:
    name = data.draw(st.sampled_from(candidates))
    assert fuzzy_matches(name, candidates)[0].lower() == name.lower()
    found = resolve(Command("repo", name), candidates)
    assert isinstance(found, str) and found.lower() == name.lower()


@given(names, word)
def test_fuzzy_matching_finds_every_name_that_holds_the_query(
    candidates: list[str], query: str
) -> None:
    found = fuzzy_matches(query, candidates)
    assert len(found) == len(set(found)) and set(found) <= set(candidates)
    for name in candidates:
        if query.lower() in name.lower():
            assert name in found


@given(names, st.data())
def test_profile_and_region_take_only_a_listed_name(candidates: list[str], data) -> None:
    name = data.draw(word)
    found = resolve(Command("region", name), candidates)
    if name in candidates:
        assert found == name
    else:
        assert isinstance(found, CommandError) and name in found.message
        if found.suggestion is not None:
            assert found.suggestion in candidates


@given(st.lists(st.text(max_size=10), max_size=10))
def test_common_prefix_is_a_prefix_of_all(lines: list[str]) -> None:
    prefix = common_prefix(lines)
    assert all(line.startswith(prefix) for line in lines)


def test_unknown_command_names_the_closest() -> None:
    assert parse("rgeion us-east-1") == CommandError(
        "unknown command :rgeion; did you mean :region?", ":region"
    )
    assert parse(":imgae latest").suggestion == ":image"
    error = parse(":zzzz")
    assert isinstance(error, CommandError) and error.suggestion is None
    assert ":repo" in error.message and ":quit" in error.message


def test_arguments_are_checked() -> None:
    assert parse("q") == Command("quit")
    assert parse("QUIT") == Command("quit")
    assert parse("help me") == CommandError(":help takes no argument (got me)")
    missing = parse("repo")
    assert isinstance(missing, CommandError) and "which repository" in missing.message
    two = parse("image a b")
    assert isinstance(two, CommandError) and "not 2 words" in two.message
    assert isinstance(parse(""), CommandError)


def test_repositories_match_fuzzily_best_first() -> None:
    repositories = [
        "platform/nginx-base",
        "search/opensearch-plugins",
        "nginx",
        "apps/web-frontend",
        "platform/node-base",
    ]
    assert fuzzy_matches("nginx", repositories)[:2] == ["nginx", "platform/nginx-base"]
    assert fuzzy_matches("ngin", repositories)[0] == "nginx"
    assert fuzzy_matches("webfr", repositories) == ["apps/web-frontend"]
    assert resolve(Command("repo", "pnb"), repositories) == "platform/node-base"
    error = resolve(Command("repo", "zebra"), repositories)
    assert isinstance(error, CommandError) and error.message == "no repository zebra"
    assert closest("us-eats-1", ["us-east-1", "eu-west-1"]) == "us-east-1"


def test_images_by_tag_or_digest_prefix() -> None:
    tags = ["latest", "v1.2.3", "abc1234"]
    digests = ["sha256:" + "ab" * 32, "sha256:" + "abcd" + "0" * 60, "sha256:" + "12" * 32]
    assert resolve_image("latest", tags, digests) == "latest"
    assert resolve_image("abc1234", tags, digests) == "abc1234"  # a tag wins over a digest
    assert resolve_image("121212", tags, digests) == digests[2]
    assert resolve_image("sha256:1212", tags, digests) == CommandError(
        "no image tagged sha256:1212", None
    )  # fewer than 6 digits is no digest
    ambiguous = resolve_image("abab", tags, digests)
    assert isinstance(ambiguous, CommandError)
    many = resolve_image("ababab", ["x"], ["sha256:" + "ab" * 32, "sha256:" + "ab" * 31 + "cd"])
    assert isinstance(many, CommandError) and "give more digits" in many.message
    typo = resolve_image("lastest", tags, digests)
    assert isinstance(typo, CommandError) and typo.suggestion == "latest"


def test_completion_of_commands_and_arguments() -> None:
    assert complete("re", {}) == ["repo ", "region "]
    assert complete("h", {}) == ["help"]
    regions = {REGION: ["us-east-1", "us-west-2", "eu-west-1"]}
    assert complete("region us-", regions) == ["region us-east-1", "region us-west-2"]
    assert complete("region ", regions) == [f"region {r}" for r in regions[REGION]]
    assert complete("help x", regions) == []
    repositories = {REPOSITORY: ["platform/nginx-base", "nginx"]}
    assert complete("repo ngi", repositories) == ["repo nginx", "repo platform/nginx-base"]


def test_state_keeps_history_and_favourites_and_never_overwrites_a_broken_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ecr-tui" / "state.json"
    store = StateStore(path)
    for line in ("repo a", "region b", "repo a"):
        store.add_command(line)
    store.set_favourite("prod", "apps/web", True)
    store.set_favourite("default", "data/x", True)
    again = StateStore(path)
    assert again.command_history() == ["region b", "repo a"]
    assert again.favourites("prod") == {"apps/web"}
    assert again.favourites("default") == {"data/x"}
    again.set_favourite("prod", "apps/web", False)
    assert StateStore(path).favourites("prod") == set()
    assert json.loads(path.read_text())["favourites"]["default"] == ["data/x"]

    path.write_text("{ not json")
    broken = StateStore(path)
    assert broken.problem and str(path) in broken.problem
    broken.add_command("repo kept-in-memory")
    assert broken.command_history() == ["repo kept-in-memory"]
    assert path.read_text() == "{ not json"
