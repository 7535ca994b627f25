"""schema/schema.graphql is the SDL the server serves (SPEC §5); `make schema` rewrites it."""

from __future__ import annotations

from pathlib import Path

import graphql

from graphql_api.graphql.schema import build_schema
from graphql_api.plugins import load_registry

SDL = Path(__file__).resolve().parents[1] / "schema" / "schema.graphql"


def test_the_committed_sdl_is_the_served_schema() -> None:
    served = build_schema(load_registry()).as_str()
    committed = SDL.read_text(encoding="utf-8") if SDL.exists() else ""
    assert committed.strip() == served.strip(), (
        "schema/schema.graphql differs from the schema the server builds: run `make schema`"
    )


def test_every_type_and_field_is_described() -> None:
    schema = graphql.build_schema(build_schema(load_registry()).as_str())
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Boolean", "ID", "Float"):
            continue
        if not graphql_type.description:
            missing.append(name)
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
    assert missing == []
