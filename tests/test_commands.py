"""The command bar's language: parsing, completion and matching, without the app."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ecr_tui.commands import (
    COMMAND_WORDS,
    DIGEST_PREFIX_MIN,
    IMAGE,
    PROFILE,
    REGION,
    REPOSITORY,
    SPECS,
    URI,
    VULNERABILITY,
    Command,
    CommandError,
    closest,
    common_prefix,
    complete,
    fuzzy_matches,
    image_argument_problem,
    parse,
    render,
    resolve,
    resolve_image,
    vulnerability_id_problem,
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
    kinds = (REPOSITORY, IMAGE, URI, PROFILE, REGION, VULNERABILITY)
    candidates = {kind: offered for kind in kinds}
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
        "digest prefix sha256:1212 is too short: give 6 or more hex digits"
    )
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


def test_a_vulnerability_is_any_id_upper_cased_and_nothing_else() -> None:
    for asked, meant in (("cve-2023-38545", "CVE-2023-38545"), ("GHSA-xh2p-7p87-fhgh", None)):
        command = parse(f"cve {asked}")
        assert isinstance(command, Command)
        assert resolve(command, []) == (meant or asked.upper())
    for wrong in ("38545", "-2023", "CVE"):
        command = parse(f"vuln {wrong}")
        assert isinstance(command, Command) and command.name == "cve"
        refused = resolve(command, [])
        assert isinstance(refused, CommandError)
        assert str(refused).startswith(f"not a vulnerability id: {wrong}; one such as CVE-2023-")


def test_an_unknown_command_lists_every_word_tab_offers() -> None:
    error = parse(":zzzz")
    assert isinstance(error, CommandError)
    listed = error.message.split("the commands are ")[1].split(", ")
    assert listed == [f":{word}" for word in COMMAND_WORDS]
    assert ":vuln" in listed
    for word in COMMAND_WORDS:  # each listed word is one Tab offers from its first letter
        assert any(offer.rstrip() == word for offer in complete(word[0], {}))


@given(st.lists(st.sampled_from("0123456789abcdefghijklmnopqrstuvwxyz-"), min_size=0, max_size=4))
def test_a_prefix_of_several_names_lists_them_all(suffix: list[str]) -> None:
    regions = ["eu-west-1", "eu-west-2", "eu-west-3", "us-east-1", "eu-central-1"]
    typed = "eu-" + "".join(suffix)
    found = resolve(Command("region", typed), regions)
    starting = [name for name in regions if name.startswith(typed)]
    if typed in regions:
        assert found == typed
        return
    assert isinstance(found, CommandError)
    if len(starting) > 1:  # never one picked among several
        assert found.suggestion is None
        assert all(name in found.message for name in starting)
    elif starting:
        assert found.suggestion == starting[0]


def test_a_region_prefix_lists_the_regions_it_starts() -> None:
    regions = ["us-east-1", "eu-west-1", "eu-west-2", "eu-west-3"]
    assert resolve(Command("region", "eu-w"), regions) == CommandError(
        "no region eu-w; eu-west-1, eu-west-2 or eu-west-3?"
    )
    assert complete("region eu-w", {REGION: regions}) == [f"region eu-west-{n}" for n in (1, 2, 3)]


@given(st.from_regex(r"CVE-[0-9]{0,3}(-[0-9]{0,3})?", fullmatch=True))
def test_a_malformed_cve_id_is_refused_with_its_form(asked: str) -> None:
    refused = resolve(Command("cve", asked), [])
    assert isinstance(refused, CommandError)
    assert "CVE-YYYY-NNNN" in refused.message


@given(st.integers(1999, 2099), st.integers(0, 10**9))
def test_a_well_formed_cve_id_is_taken_upper_cased(year: int, number: int) -> None:
    asked = f"cve-{year}-{number:04d}"
    assert resolve(Command("cve", asked), []) == asked.upper()
    assert vulnerability_id_problem(asked) is None


def test_vulnerability_id_forms() -> None:
    assert vulnerability_id_problem("CVE-1") == (
        "not a CVE id: CVE-1; the form is CVE-YYYY-NNNN (4 or more digits)"
    )
    assert vulnerability_id_problem("GHSA-xh2p-7p87") is not None
    assert vulnerability_id_problem("ghsa-xh2p-7p87-fhgh") is None
    assert vulnerability_id_problem("ALAS2-2024-2419") is None
    assert vulnerability_id_problem("ALAS-2024-1") is None


def test_an_image_argument_says_what_was_understood() -> None:
    tags, digests = ["latest"], ["sha256:671d9" + "0" * 59]
    assert resolve_image("671d9", tags, digests) == CommandError(
        "no image tagged 671d9 (a digest prefix needs 6 or more hex digits)"
    )
    assert resolve_image("671d90", tags, digests) == digests[0]
    assert resolve_image("sha256:", tags, digests) == CommandError(
        "an empty digest: give hex digits after sha256: (6 or more)"
    )
    assert str(resolve_image("ünï", tags, digests)).startswith("not a valid tag: ünï:")
    assert str(resolve_image("sha256:xyz", tags, digests)).startswith("not a digest:")
    assert str(resolve_image("sha256:abcdef", tags, digests)) == (
        "no image with a digest starting abcdef"
    )
    assert resolve_image("nope", tags, digests) == CommandError("no image tagged nope")


@given(word, st.lists(word, max_size=5))
def test_an_image_argument_is_found_or_its_problem_is_said(argument: str, tags: list[str]) -> None:
    found = resolve_image(argument, tags, [])
    problem = image_argument_problem(argument)
    if argument in tags:
        assert found == argument
    elif problem is not None:  # malformed: said as such, no lookup hint
        assert found == CommandError(problem)
    else:
        assert isinstance(found, CommandError) and argument in found.message


@given(st.from_regex(r"(sha256:)?[0-9a-f]{1,5}", fullmatch=True))
def test_a_short_hex_prefix_says_digests_need_more_digits(argument: str) -> None:
    found = resolve_image(argument, [], ["sha256:" + "0" * 64])
    assert isinstance(found, CommandError)
    assert f"{DIGEST_PREFIX_MIN} or more hex digits" in found.message
