"""`interface Node { id: ID! }`, which every type with an identity implements (SPEC §8).

strawberry's `relay.Node` would resolve `id` through a resolver on every object (a bell
page shows each alert's id many times, which fast_execution.py reads as a plain attribute
instead) and takes the key from the object's own field; here each type builds its id once,
with `graphql_api.ids`, which also uses strawberry's `GlobalID` to spell it.
"""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="An object with a global id; `node(id:)` fetches it again (Relay convention)."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque and stable, unique across types: a key for a client's cache."
    )
