"""What an AWS answer may contain, checked against botocore's service model.

botocore's parsers walk the output shape and silently drop any key they do not
know, and its ParamValidator (used by Stubber) never looks at enums. So the
contract tests take the RAW body the endpoint sent and walk it here: every key
must be a member of its structure, every value of its member's type (JSON
timestamps are epoch numbers), required members must be there, and a string
whose shape has an `enum` must be one of its values.
"""

from __future__ import annotations

import functools
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.session

# Values real ECR sends although the model's enum leaves them out. Each one is
# documented, and narrow: (enum shape name, value).
ALLOWED_BEYOND_ENUM = frozenset(
    {
        # Enhanced scanning (Amazon Inspector) counts not-yet-rated findings as
        # UNTRIAGED in `findingSeverityCounts`, whose key shape is FindingSeverity.
        ("FindingSeverity", "UNTRIAGED"),
    }
)

_SESSION = botocore.session.get_session()


@functools.cache
def service_model(service: str) -> Any:
    """botocore's model of `service`."""
    return _SESSION.get_service_model(service)


def shape_violations(value: Any, shape: Any, path: str = "$") -> list[str]:
    """Every way `value` (decoded JSON) breaks `shape`; empty when it conforms."""
    problems: list[str] = []
    _walk(value, _facts(shape, {}), path, problems)
    return problems


@dataclass(frozen=True)
class _Shape:
    """What the walk needs of a botocore shape, read once (botocore computes it on access)."""

    name: str
    kind: str
    members: dict[str, _Shape]
    required: tuple[str, ...]
    enum: frozenset[str]
    item: _Shape | None = None  # a list's member, a map's value
    key: _Shape | None = None  # a map's key


def _facts(shape: Any, known_shapes: dict[str, _Shape]) -> _Shape:
    """`shape`'s facts; `known_shapes` holds those of one walk's model, by shape name."""
    known = known_shapes.get(shape.name)
    if known is not None:
        return known
    kind = shape.type_name
    facts = _Shape(
        shape.name,
        kind,
        {},
        tuple(shape.required_members) if kind == "structure" else (),
        frozenset(getattr(shape, "enum", None) or ()),
    )
    known_shapes[shape.name] = facts  # before the members: shapes may refer to themselves
    if kind == "structure":
        facts.members.update({n: _facts(m, known_shapes) for n, m in shape.members.items()})
    elif kind == "list":
        object.__setattr__(facts, "item", _facts(shape.member, known_shapes))
    elif kind == "map":
        object.__setattr__(facts, "key", _facts(shape.key, known_shapes))
        object.__setattr__(facts, "item", _facts(shape.value, known_shapes))
    return facts


def _walk(value: Any, shape: _Shape, path: str, problems: list[str]) -> None:
    kind = shape.kind
    if value is None:
        problems.append(f"{path}: null where {shape.name} ({kind}) belongs")
        return
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: {type(value).__name__} where structure {shape.name} belongs")
            return
        members = shape.members
        for key, item in value.items():
            member = members.get(key)
            if member is None:
                problems.append(f"{path}: {key!r} is not a member of {shape.name}")
            else:
                _walk(item, member, f"{path}.{key}", problems)
        for required in shape.required:
            if required not in value:
                problems.append(f"{path}: required {required!r} of {shape.name} is missing")
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: {type(value).__name__} where list {shape.name} belongs")
            return
        assert shape.item is not None
        for index, item in enumerate(value):
            _walk(item, shape.item, f"{path}[{index}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: {type(value).__name__} where map {shape.name} belongs")
            return
        assert shape.key is not None and shape.item is not None
        for key, item in value.items():
            _walk(key, shape.key, f"{path}<key {key!r}>", problems)
            _walk(item, shape.item, f"{path}[{key!r}]", problems)
    else:
        problem = _scalar_problem(value, shape)
        if problem:
            problems.append(f"{path}: {problem}")


def _scalar_problem(value: Any, shape: _Shape) -> str | None:
    kind = shape.kind
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string":
        if not isinstance(value, str):
            return f"{type(value).__name__} {value!r} where string {shape.name} belongs"
        enum = shape.enum
        if enum and value not in enum and (shape.name, value) not in ALLOWED_BEYOND_ENUM:
            return f"{value!r} is not one of {shape.name}'s values {sorted(enum)}"
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{value!r} where {kind} {shape.name} belongs"
    elif kind in ("double", "float", "timestamp"):
        # The JSON protocol sends timestamps as epoch seconds, never as text.
        if not is_number:
            return f"{value!r} where {kind} {shape.name} belongs"
    elif kind == "boolean":
        if not isinstance(value, bool):
            return f"{value!r} where boolean {shape.name} belongs"
    elif kind == "blob":
        if not isinstance(value, str):
            return f"{value!r} where base64 blob {shape.name} belongs"
    else:
        return f"shape type {kind} is not checked here"
    return None


def query_xml_violations(body: bytes, operation: Any) -> list[str]:
    """The same walk for a query-protocol (XML) answer such as STS's: every element a
    member of its shape, structures walked, scalars not empty, required members there."""
    root = ElementTree.fromstring(body)
    namespace = root.tag.partition("}")[0] + "}" if root.tag.startswith("{") else ""
    problems: list[str] = []
    if root.tag != f"{namespace}{operation.name}Response":
        problems.append(f"root element {root.tag} is not {operation.name}Response")
    result = root.find(f"{namespace}{operation.name}Result")
    if result is None:
        return [*problems, f"no {operation.name}Result element"]
    _xml_walk(result, operation.output_shape, namespace, "$", problems)
    return problems


def _xml_walk(element: Any, shape: Any, namespace: str, path: str, problems: list[str]) -> None:
    if shape.type_name == "structure":
        seen = set()
        for child in element:
            name = child.tag.removeprefix(namespace)
            seen.add(name)
            member = shape.members.get(name)
            if member is None:
                problems.append(f"{path}.{name}: not a member of {shape.name}")
            else:
                _xml_walk(child, member, namespace, f"{path}.{name}", problems)
        problems.extend(
            f"{path}: required {name!r} is missing"
            for name in shape.required_members
            if name not in seen
        )
    elif shape.type_name == "list":
        for index, child in enumerate(element):
            _xml_walk(child, shape.member, namespace, f"{path}[{index}]", problems)
    elif shape.type_name in ("string", "timestamp", "integer", "long", "boolean"):
        text = (element.text or "").strip()
        if not text:
            problems.append(f"{path} is empty")
        elif shape.type_name in ("integer", "long") and not text.lstrip("-").isdigit():
            problems.append(f"{path}: {text!r} is not a number")
        elif shape.type_name == "timestamp" and not text[:4].isdigit():
            problems.append(f"{path}: {text!r} is not a timestamp")
    else:
        problems.append(f"{path}: {shape.type_name} members are not checked here")


@dataclass
class Answer:
    """One HTTP answer as the endpoint sent it."""

    service: str
    operation: str
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class RawAnswers:
    """Records the raw body of every answer a botocore client receives."""

    answers: list[Answer] = field(default_factory=list)

    def attach(self, client: Any) -> Any:
        """Record `client`'s answers from now on; returns the client."""
        service = client.meta.service_model.service_name
        client.meta.events.register(f"after-call.{service}", self._record)
        return client

    def _record(self, http_response: Any, model: Any, **_: Any) -> None:
        service = model.service_model.service_name
        body = bytes(http_response.content or b"")
        self.answers.append(Answer(service, model.name, http_response.status_code, body))

    def take(self) -> list[Answer]:
        """The answers recorded since the last call."""
        taken, self.answers = self.answers, []
        return taken


def answer_violations(answer: Answer) -> Iterator[str]:
    """Everything in one raw answer that real AWS could not have sent."""
    model = service_model(answer.service)
    operation = model.operation_model(answer.operation)
    where = f"{answer.service} {answer.operation} ({answer.status})"
    if answer.service == "sts":
        if answer.status != 200:
            yield f"{where}: STS answered an error"
            return
        yield from (f"{where}: {p}" for p in query_xml_violations(answer.body, operation))
        return
    try:
        body = json.loads(answer.body) if answer.body else {}
    except ValueError:
        yield f"{where}: the body is not JSON: {answer.body[:120]!r}"
        return
    if answer.status >= 400:
        # An error must be one the operation declares (its name, after any namespace).
        code = str(body.get("__type", "")).rpartition("#")[2]
        declared = {shape.name for shape in operation.error_shapes}
        if code not in declared:
            yield f"{where}: error {code!r} is not one of {sorted(declared)}"
        extra = set(body) - {"__type", "message"}
        if extra:
            yield f"{where}: error keys {sorted(extra)} beyond __type and message"
        return
    facts = _output_facts(answer.service, answer.operation)
    if facts is None:
        if body:
            yield f"{where}: an operation without output answered {body!r}"
        return
    problems: list[str] = []
    _walk(body, facts, "$", problems)
    yield from (f"{where}: {p}" for p in problems)


@functools.cache
def _output_facts(service: str, operation: str) -> _Shape | None:
    """An operation's output shape, read once: a tour walks thousands of answers."""
    shape = service_model(service).operation_model(operation).output_shape
    return None if shape is None else _facts(shape, {})
