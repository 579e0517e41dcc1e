"""Validators for the names ECR accepts: repositories, image tags, digests, KMS keys, tags.

Each validator returns None when the value is valid, or one short sentence
saying exactly what is wrong and, when it can, what to type instead. They never
raise, so a form can call them on every keystroke.
"""

from __future__ import annotations

import re
import unicodedata

REPOSITORY_NAME_MIN = 2
REPOSITORY_NAME_MAX = 256
IMAGE_TAG_MAX = 300
# Docker's reference grammar (distribution/reference) takes at most 128 characters in a
# tag; so do podman and the OCI distribution spec.
DOCKER_TAG_MAX = 128
RESOURCE_TAG_KEY_MAX = 128
RESOURCE_TAG_VALUE_MAX = 256
KMS_KEY_MAX = 2048

# The private ECR API model (botocore's ecr/2015-09-21 RepositoryName) allows, between
# letters and digits, one '.', one or two '_', or any run of '-': the OCI distribution
# grammar. Older docs (and ECR Public) show the stricter `[._-]` form, but real
# registries hold names such as "a__b" and "a--b", and the app must be able to address
# them, so the wider, current rule is the one enforced here.
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
REPOSITORY_NAME_PATTERN = rf"{_COMPONENT}(?:/{_COMPONENT})*"

# ECR's API puts no pattern on tags, only a length of 1-300, but every tag that docker,
# podman or an OCI client can push or pull follows the Docker grammar `[\w][\w.-]*`.
# ECR's own length limit (300) wins over Docker's 128 because tags set through the API
# (PutImage, replication, CI tools) can be longer, and the app must still show and
# address them.
IMAGE_TAG_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}"

DIGEST_PATTERN = r"sha256:[0-9a-f]{64}"

_REPOSITORY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-/")
_TAG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_HEX = frozenset("0123456789abcdef")
_SEPARATOR_RUN = re.compile(r"[._-]+")
_ALLOWED_SEPARATORS = frozenset({".", "_", "__"})
# AWS resource tags: letters, numbers and spaces in any script, plus these.
_RESOURCE_TAG_PUNCTUATION = frozenset("_.:/=+-@")
_KMS_KEY_ID = r"(?:[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
_KMS_ALIAS = r"alias/[A-Za-z0-9/_-]{1,250}"
_KMS_ARN_PREFIX = r"arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:"
_KMS_KEY = re.compile(
    rf"{_KMS_KEY_ID}|{_KMS_ALIAS}|{_KMS_ARN_PREFIX}key/{_KMS_KEY_ID}|{_KMS_ARN_PREFIX}{_KMS_ALIAS}"
)


def _quoted_list(chars: list[str]) -> str:
    """`'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`: for naming offending characters."""
    quoted = [repr(c) for c in chars]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _disallowed(text: str, allowed: frozenset[str]) -> list[str]:
    """The characters of `text` outside `allowed`, once each, in order of appearance."""
    return list(dict.fromkeys(c for c in text if c not in allowed))


def _is_alnum(char: str) -> bool:
    """ASCII letter or digit only: str.isalnum() would also accept 'é' or '٣'."""
    return char.isascii() and char.isalnum()


def repository_name_problem(name: str) -> str | None:
    """What is wrong with `name` as an ECR repository name, or None if it is valid."""
    if not name:
        return "a repository name is required"
    if len(name) > REPOSITORY_NAME_MAX:
        return f"too long: {len(name)} characters, at most {REPOSITORY_NAME_MAX}"
    if len(name) < REPOSITORY_NAME_MIN:
        return f"too short: {len(name)} character, at least {REPOSITORY_NAME_MIN}"
    if re.search("[A-Z]", name):
        lowered = name.lower()
        # Only suggest the lowercase form when it would actually be accepted.
        if repository_name_problem(lowered) is None:
            return f"uppercase letters are not allowed: use {lowered!r}"
        return "uppercase letters are not allowed"
    if any(c.isspace() for c in name):
        return "spaces are not allowed"
    bad = _disallowed(name, _REPOSITORY_CHARS)
    if bad:
        verb = "is" if len(bad) == 1 else "are"
        return (
            f"{_quoted_list(bad)} {verb} not allowed: use lowercase letters, digits, "
            "'.', '_', '-' and '/'"
        )
    if name.startswith("/"):
        return "must not start with '/'"
    if name.endswith("/"):
        return "must not end with '/'"
    if "//" in name:
        return "has an empty path component ('//')"
    components = name.split("/")
    for index, component in enumerate(components, start=1):
        subject = f"component {index} ({component!r})" if len(components) > 1 else "the name"
        if not _is_alnum(component[0]):
            return f"{subject} must start with a letter or digit"
        if not _is_alnum(component[-1]):
            return f"{subject} must end with a letter or digit"
        for run in _SEPARATOR_RUN.findall(component):
            if run not in _ALLOWED_SEPARATORS and set(run) != {"-"}:
                return (
                    f"{subject} has {run!r}: between letters and digits use one '.', "
                    "one or two '_', or '-'"
                )
    return None


def image_tag_problem(tag: str) -> str | None:
    """What is wrong with `tag` as an image tag, or None if it is valid."""
    if not tag:
        return "a tag is required"
    if len(tag) > IMAGE_TAG_MAX:
        return f"too long: {len(tag)} characters, at most {IMAGE_TAG_MAX}"
    if any(c.isspace() for c in tag):
        return "spaces are not allowed"
    bad = _disallowed(tag, _TAG_CHARS)
    if bad:
        verb = "is" if len(bad) == 1 else "are"
        return f"{_quoted_list(bad)} {verb} not allowed: use letters, digits, '_', '.' and '-'"
    if tag[0] in ".-":
        return f"must start with a letter, digit or '_', not {tag[0]!r}"
    return None


def docker_tag_problem(tag: str) -> str | None:
    """Why docker cannot use `tag` although ECR takes it (too long), or None.

    Checked where a tag is typed: ECR stores tags up to 300 characters, but docker
    refuses to push or pull one over 128.
    """
    if len(tag) <= DOCKER_TAG_MAX:
        return None
    return (
        f"{len(tag)} characters: ECR takes up to {IMAGE_TAG_MAX}, but docker (and podman) "
        f"refuse tags over {DOCKER_TAG_MAX}, so it cannot be pushed or pulled by this tag"
    )


def digest_problem(digest: str) -> str | None:
    """What is wrong with `digest` as an image digest, or None if it is valid."""
    if not digest:
        return "a digest is required"
    algorithm, colon, hex_digits = digest.partition(":")
    if not colon:
        if len(digest) == 64 and set(digest.lower()) <= _HEX:
            return "add the 'sha256:' prefix"
        return "must be 'sha256:' followed by 64 hex digits"
    if algorithm != "sha256":
        if algorithm.lower() == "sha256":
            return "write the algorithm in lowercase: 'sha256:'"
        return f"only sha256 digests are used by ECR, not {algorithm!r}"
    bad = _disallowed(hex_digits, _HEX)
    if bad:
        if all(c in "ABCDEF" for c in bad):
            return "hex digits must be lowercase"
        verb = "is" if len(bad) == 1 else "are"
        return f"{_quoted_list(bad)} {verb} not hex digits"
    if len(hex_digits) != 64:
        return f"has {len(hex_digits)} hex digits after 'sha256:', needs 64"
    return None


def _resource_tag_chars_problem(text: str, what: str) -> str | None:
    """Shared character rule for AWS resource tag keys and values."""
    bad = [
        c
        for c in dict.fromkeys(text)
        if not (
            c.isalpha()
            or c.isnumeric()
            or unicodedata.category(c).startswith("Z")
            or c in _RESOURCE_TAG_PUNCTUATION
        )
    ]
    if not bad:
        return None
    verb = "is" if len(bad) == 1 else "are"
    return (
        f"{_quoted_list(bad)} {verb} not allowed in {what}: use letters, numbers, spaces "
        "and _ . : / = + - @"
    )


def resource_tag_key_problem(key: str) -> str | None:
    """What is wrong with `key` as an AWS resource tag key, or None if it is valid."""
    if not key:
        return "a tag key is required"
    if len(key) > RESOURCE_TAG_KEY_MAX:
        return f"too long: {len(key)} characters, at most {RESOURCE_TAG_KEY_MAX}"
    if key.lower().startswith("aws:"):
        return "keys starting with 'aws:' are reserved for AWS"
    return _resource_tag_chars_problem(key, "tag keys")


def resource_tag_value_problem(value: str) -> str | None:
    """What is wrong with `value` as an AWS resource tag value (may be empty), or None."""
    if len(value) > RESOURCE_TAG_VALUE_MAX:
        return f"too long: {len(value)} characters, at most {RESOURCE_TAG_VALUE_MAX}"
    return _resource_tag_chars_problem(value, "tag values")


def kms_key_problem(key: str) -> str | None:
    """What is wrong with `key` as the KMS key of a repository's encryption, or None.

    ECR accepts a key ID, a multi-Region key ID, an alias, or the ARN of a key or alias.
    """
    if not key:
        return "a KMS key is required"
    if len(key) > KMS_KEY_MAX:
        return f"too long: {len(key)} characters, at most {KMS_KEY_MAX}"
    if _KMS_KEY.fullmatch(key):
        return None
    if key.startswith("arn:"):
        parts = key.split(":", 5)
        if len(parts) < 6 or parts[2] != "kms":
            return "not a KMS ARN: expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID"
        if not re.fullmatch(r"\d{12}", parts[4]):
            return f"the ARN's account ID {parts[4]!r} must be 12 digits"
        return "the ARN must end in 'key/KEY-ID' or 'alias/NAME'"
    if key.startswith("alias/"):
        return "alias names use letters, digits, '/', '_' and '-', at most 250 characters"
    return (
        "expected a key ID (1234abcd-12ab-34cd-56ef-1234567890ab), 'alias/NAME', "
        "or a key or alias ARN"
    )
