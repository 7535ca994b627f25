"""Objects completed once (fast_execution.py): an object asked a selection of plain fields
only (attributes, no resolver, no argument) answers what its attributes hold, whatever its
parent or path, so its first clean completion is the answer each time it is asked again.

Within a request, that is any object: a bell page shows ~100 alerts ~800 times. A type whose
objects never change once built and are handed to every request (the `Alert` node, kept by
graphql/alerts.py for each version of an alert) is declared with `@shared`: its completions
are kept across requests too, for each schema and selection (the fields and the names they
answer under), so that a page completes only the alerts that no page showed before.

Each memo keeps the objects it answers for alive, so that an id stays its object's.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, TypeVar

from graphql import GraphQLObjectType, GraphQLSchema
from strawberry.schema.schema_converter import GraphQLCoreConverter

T = TypeVar("T", bound=type)

# the classes declared `shared`
SHARED: set[type] = set()

# How many objects a shared memo keeps, and how many selections a schema keeps memos for;
# beyond either, the memos start over (a client that keeps asking new aliases, an alert
# renamed many times: each name a new node).
MAX_OBJECTS = 20_000
MAX_SELECTIONS = 1_000


def shared(cls: T) -> T:
    """Declare that an object of `cls` never changes after it is built, so that what a plain
    selection of it answers can be kept from one request to the next."""
    SHARED.add(cls)
    return cls


class Memo:
    """The completions of one selection in one request: id of object -> its fields."""

    __slots__ = ("_kept", "results")

    def __init__(self) -> None:
        self.results: dict[int, dict[str, Any]] = {}
        self._kept: list[Any] = []

    def remember(self, source: Any, completed: dict[str, Any]) -> None:
        self._kept.append(source)
        self.results[id(source)] = completed


class SharedMemo(Memo):
    """The completions of one selection of a shared type, for every request: written under a
    lock, so that an id is in `results` only while its object is kept; read without one."""

    __slots__ = ("_by_id", "_cls", "_lock")

    def __init__(self, cls: type) -> None:
        super().__init__()
        self._cls = cls
        self._by_id: dict[int, Any] = {}
        self._lock = threading.Lock()

    def remember(self, source: Any, completed: dict[str, Any]) -> None:
        if type(source) is not self._cls:  # another class answering for it: no promise kept
            return
        with self._lock:
            if len(self._by_id) >= MAX_OBJECTS:
                self.results.clear()
                self._by_id.clear()
            self._by_id[id(source)] = source
            self.results[id(source)] = completed


_memos: weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[Any, ...], SharedMemo]] = (
    weakref.WeakKeyDictionary()
)
_memos_lock = threading.Lock()


def memo_for(schema: GraphQLSchema, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Memo:
    """The memo of an all-plain selection: the type's shared one when its class is `shared`,
    else a new one for this request."""
    definition = (parent_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    cls = getattr(definition, "origin", None)
    if cls not in SHARED:
        return Memo()
    key = (
        parent_type.name,
        *((name, details[0].node.name.value) for name, details in grouped_field_set.items()),
    )
    with _memos_lock:
        by_key = _memos.get(schema)
        if by_key is None:
            by_key = _memos[schema] = {}
        memo = by_key.get(key)
        if memo is None:
            if len(by_key) >= MAX_SELECTIONS:
                by_key.clear()
            memo = by_key[key] = SharedMemo(cls)  # type: ignore[arg-type]
    return memo
