"""Ids (SPEC §8): every object with an identity is a `Node` whose id is opaque, unique across
types and stable; `node` and `nodes` find any of them, and null for anything else.

How a hidden alert's id is answered, through every argument that takes an id, is the
attacker's business: tests/test_api_privacy.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLScalarType
from sqlalchemy import Engine, select, text

from graphql_api import ids
from graphql_api.database import migrate
from graphql_api.graphql.schema import build_schema
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import alerts
from tests.api_client import (
    CUSTOMERS_CSV,
    FRANCE,
    ITEMS_CSV,
    LATE,
    MADE_UP_ALERT_ID,
    MADE_UP_CUSTOMER_ID,
    TODAY,
    Api,
    row_of,
)
from tests.test_money import empty_database  # noqa: F401 (a fixture)

pytest_plugins = ("tests.api_client",)

SHOWN = """
  __typename id
  ... on Alert { name owner { id name } }
  ... on Customer { accountNumber customerName: name }
  ... on Item { documentNumber openAmount }
  ... on Reminder { date channel }
  ... on User { name role }
"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ {SHOWN} }} }}"
NODES = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {SHOWN} }} }}"
EVERYTHING = """{
  me { __typename id name role }
  alerts { __typename id name owner { id name } }
  customers(first: 100) { nodes {
    __typename id accountNumber customerName: name
    reminders { __typename id date channel }
    items(first: 100) { nodes { __typename id documentNumber openAmount } }
  } }
}"""


def objects(api: Api, user: str) -> list[dict[str, Any]]:
    """Every object a user sees, as node(id) shows it (lists' own fields left out)."""
    data = api.data(user, EVERYTHING)
    found = [data["me"], *data["alerts"]]
    for customer in data["customers"]["nodes"]:
        found += [customer, *customer["reminders"], *customer["items"]["nodes"]]
    return [{k: v for k, v in o.items() if k not in ("reminders", "items")} for o in found]


def item_ids(api: Api) -> dict[tuple[str, str], str]:
    customers = api.data("viewer", EVERYTHING)["customers"]["nodes"]
    return {
        (c["accountNumber"], item["documentNumber"]): item["id"]
        for c in customers
        for item in c["items"]["nodes"]
    }


def customer_ids(api: Api) -> dict[str, str]:
    customers = api.data("viewer", EVERYTHING)["customers"]["nodes"]
    return {c["accountNumber"]: c["id"] for c in customers}


def node(api: Api, user: str, node_id: str) -> Any:
    return api.data(user, NODE, {"id": node_id})["node"]


# -- node and nodes ---------------------------------------------------------------------------


def test_node_finds_every_type_by_its_id(api: Api) -> None:
    api.create("alice", name="Late", criteria=LATE, visibility="PUBLIC")
    api.create("bob", name="Bob's own", criteria=FRANCE)
    found = objects(api, "bob")
    assert {o["__typename"] for o in found} == {"Alert", "Customer", "Item", "Reminder", "User"}
    for shown in found:
        assert node(api, "bob", shown["id"]) == shown, shown
    # Users are visible to every signed-in user (they appear as alert owners).
    (bob,) = [o for o in found if o["__typename"] == "User"]
    assert node(api, "viewer", bob["id"]) == bob


def test_nodes_answers_in_order_with_null_for_anything_else(api: Api) -> None:
    private = api.create("bob", name="Bob's own", criteria=FRANCE)
    found = objects(api, "alice")
    given = [o["id"] for o in found]
    nothing = [MADE_UP_ALERT_ID, MADE_UP_CUSTOMER_ID, "not-an-id", "", "1", private["id"]]
    answer = api.data("alice", NODES, {"ids": [*given, *nothing, given[0]]})["nodes"]
    assert answer == [*found, *[None] * len(nothing), found[0]]
    assert api.data("alice", NODES, {"ids": []}) == {"nodes": []}


def test_nodes_takes_at_most_500_ids(api: Api) -> None:
    made_up = [ids.customer_id(900_000 + n) for n in range(501)]
    assert api.data("viewer", NODES, {"ids": made_up[:500]}) == {"nodes": [None] * 500}
    body = api.run("viewer", NODES, {"ids": made_up})
    assert body["data"] == {"nodes": None}
    (error,) = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION", "ids")
    assert "500" in error["message"]


def test_ids_are_unique_across_types_and_opaque(api: Api) -> None:
    api.create("alice", name="Late", criteria=LATE)
    found = objects(api, "alice")
    assert len({o["id"] for o in found}) == len(found)
    for shown in found:
        text_of = f"{shown.get('accountNumber')}{shown.get('documentNumber')}"
        assert not shown["id"].isdigit() and shown["id"] not in text_of, shown
    # Yesterday's ids (row numbers) name nothing, whatever the type.
    for argument in ('alert(id: "1") { id }', 'customer(id: "1") { id }', 'node(id: "1") { id }'):
        assert list(api.data("alice", f"{{ {argument} }}").values()) == [None], argument


def test_an_id_of_another_type_or_malformed_is_a_missing_customer(api: Api) -> None:
    alert = api.create("alice", name="Late", criteria=LATE, visibility="PUBLIC")
    c001 = customer_ids(api)["C001"]
    assert api.data("alice", "query($id: ID) { customer(id: $id) { accountNumber } }",
                    {"id": c001}) == {"customer": {"accountNumber": "C001"}}  # fmt: skip
    log = """mutation($input: ReminderInput!) { logReminder(input: $input) {
      reminder { id } customer { id } errors { code field message } } }"""
    customer_by_id = "query($id: ID) { customer(id: $id) { id } }"
    reference = {
        query: api.post(query, variables(MADE_UP_CUSTOMER_ID), headers=bearer(api, "alice"))
        .text.replace(MADE_UP_CUSTOMER_ID, "<ID>")
        for query, variables in (
            (customer_by_id, lambda i: {"id": i}),
            (log, lambda i: {"input": {"customerId": i}}),
        )
    }
    assert '"NOT_FOUND"' in reference[log] and '"customerId"' in reference[log]
    for other in (alert["id"], "not-an-id", ids.encode(ids.CUSTOMER, "01"), "1"):
        for query, variables in (
            (customer_by_id, {"id": other}),
            (log, {"input": {"customerId": other}}),
        ):
            response = api.post(query, variables, headers=bearer(api, "alice"))
            assert response.text.replace(other, "<ID>") == reference[query], other


def bearer(api: Api, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.tokens[user]}"}


# -- stability ----------------------------------------------------------------------------------

REORDERED_CUSTOMERS = "\n".join(
    [CUSTOMERS_CSV.splitlines()[0], *reversed(CUSTOMERS_CSV.splitlines()[1:])]
).replace("Acme Industries", "Acme Renamed") + "\nC009,New Customer,,FR,,,no,,,\n"


def test_a_customer_keeps_its_id_through_every_import(api: Api, tmp_path: Path) -> None:
    before = customer_ids(api)
    path = tmp_path / "customers.csv"
    path.write_text(REORDERED_CUSTOMERS, encoding="utf-8")
    import_ledger(api.engine, today=TODAY, customers_file=path)
    after = customer_ids(api)
    assert {a: i for a, i in after.items() if a != "C009"} == before
    assert after["C009"] not in before.values()
    assert node(api, "viewer", before["C001"])["customerName"] == "Acme Renamed"


def items_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "items.csv"
    path.write_text("\n".join([ITEMS_CSV.splitlines()[0], *lines]) + "\n", encoding="utf-8")
    return path


def test_an_item_keeps_its_id_while_its_account_and_document_number_do(
    api: Api, tmp_path: Path
) -> None:
    before = item_ids(api)
    lines = ITEMS_CSV.splitlines()[1:]
    dropped = next(line for line in lines if line.startswith("C001,F002,"))
    # A full import of the same ledger, reordered, an amount changed, one item gone and one new.
    kept = [line.replace(",25000,25000,", ",24000,24000,") for line in reversed(lines)]
    kept = [line for line in kept if line != dropped]
    kept.append("C003,F002,INVOICE,2026-11-01,2026-12-31,100,100,no,no")  # F002, another account
    import_ledger(api.engine, today=TODAY, items_file=items_file(tmp_path, kept))
    after = item_ids(api)
    assert {k: v for k, v in after.items() if k != ("C003", "F002")} == {
        k: v for k, v in before.items() if k != ("C001", "F002")
    }
    assert after[("C003", "F002")] not in before.values()
    assert node(api, "viewer", before[("C001", "F001")])["openAmount"] == "24000.00"
    # Gone, its id names nothing; back (upserted), the same id names it again.
    assert node(api, "viewer", before[("C001", "F002")]) is None
    import_ledger(
        api.engine, today=TODAY, items_file=items_file(tmp_path, [dropped]), upsert_items=True
    )
    assert item_ids(api)[("C001", "F002")] == before[("C001", "F002")]
    assert node(api, "viewer", before[("C001", "F002")])["documentNumber"] == "F002"


def test_an_alert_id_is_never_given_to_another_alert(api: Api) -> None:
    """The issue's case: alice's newest alert deleted, bob's next alert must not take its id
    (SQLite reused the highest deleted row id)."""
    api.create("bob", name="Older", criteria=LATE)
    gone = api.create("alice", name="Alice's", criteria=LATE)
    gone_row = row_number(api.engine, gone["id"])
    assert api.delete_payload("alice", gone["id"])["errors"] == []
    new = api.create("bob", name="Bob's next", criteria=FRANCE)
    assert new["id"] != gone["id"]
    assert row_number(api.engine, new["id"]) > gone_row  # the row id is not reused either
    for user in ("alice", "bob"):
        assert node(api, user, gone["id"]) is None
        assert api.alert(user, gone["id"]) is None
    assert node(api, "bob", new["id"])["name"] == "Bob's next"


def row_number(engine: Engine, alert_id: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(alerts.c.id).where(row_of(alert_id))).scalar_one())


def test_an_alert_id_tells_nothing_of_other_alerts(api: Api) -> None:
    """Not how many exist: its key is random, not its row number, even encoded."""
    made = [api.create("alice", name=f"A{n}", criteria=LATE)["id"] for n in range(3)]
    keys = [ids.alert_key(alert_id) for alert_id in made]
    with api.engine.connect() as conn:
        stored = dict(conn.execute(select(alerts.c.public_id, alerts.c.id)).all())
    for key in keys:
        assert key is not None and len(key) == 16 and key != str(stored.get(key)), key
    assert len(set(keys)) == 3


# -- the schema ---------------------------------------------------------------------------------


def test_every_type_with_an_id_implements_node(registry: CriteriaRegistry) -> None:
    schema = build_schema(registry).graphql_schema
    with_id = {
        name: t
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and not name.startswith("__") and "id" in t.fields
    }
    assert {"Alert", "Customer", "Item", "Reminder", "User"} <= set(with_id)
    for name, object_type in with_id.items():
        assert "Node" in [i.name for i in object_type.interfaces], name
        id_type = object_type.fields["id"].type
        assert isinstance(id_type, GraphQLNonNull), name
        assert isinstance(id_type.of_type, GraphQLScalarType) and id_type.of_type.name == "ID"
    query = schema.query_type
    assert query is not None
    assert str(query.fields["node"].type) == "Node"
    assert str(query.fields["node"].args["id"].type) == "ID!"
    assert str(query.fields["nodes"].type) == "[Node]"
    assert str(query.fields["nodes"].args["ids"].type) == "[ID!]!"


# -- the migration (0004) -----------------------------------------------------------------------


def test_the_migration_gives_existing_alerts_random_ids_and_keeps_the_counter(
    empty_database: Engine,  # noqa: F811 (the fixture)
) -> None:
    engine = empty_database
    migrate(engine, "0003")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (name, role, token_hash, created_at) "
            "VALUES ('alice', 'USER', 'h', CURRENT_TIMESTAMP)"
        ))  # fmt: skip
        for name in ("one", "two", "three"):
            conn.execute(
                text(
                    "INSERT INTO alerts (name, type, level, visibility, owner_id, criteria,"
                    " version, created_at, updated_at) SELECT :name, 'RISK', 'LOW', 'PUBLIC',"
                    " id, '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM users"
                ),
                {"name": name},
            )
        conn.execute(text("DELETE FROM alerts WHERE name = 'three'"))

    migrate(engine)

    counter = "SELECT alerts_version FROM ledger_state"
    with engine.begin() as conn:
        keys = conn.execute(text("SELECT public_id FROM alerts")).scalars().all()
        assert len(keys) == 2 and all(ids.alert_key(ids.alert_id(k)) == k for k in keys), keys
        before = conn.execute(text(counter)).scalar_one()
        conn.execute(text("DELETE FROM alerts WHERE name = 'two'"))
        assert conn.execute(text(counter)).scalar_one() == before + 1  # triggers still there
        top = conn.execute(text("SELECT max(id) FROM alerts")).scalar_one()
        conn.execute(text(
            "INSERT INTO alerts (public_id, name, type, level, visibility, owner_id, criteria,"
            " version, created_at, updated_at) SELECT 'k', 'four', 'RISK', 'LOW', 'PUBLIC', id,"
            " '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM users"
        ))  # fmt: skip
        four = conn.execute(text("SELECT id FROM alerts WHERE name = 'four'")).scalar_one()
        assert four > top + 1  # 'two' was the highest row: its id is not reused


def test_the_longest_item_id_reads_back() -> None:
    document_number = "\U0001f4c4" * 100  # the column's 100 characters, 4 bytes each
    longest = ids.item_id(2**31 - 1, document_number)
    assert ids.item_key(longest) == (2**31 - 1, document_number)


@pytest.mark.parametrize("bad", ["", "not-an-id", "=" * 10, "\x00", "Q" * 500, "Q" * 601])
def test_decoding_never_raises(bad: str) -> None:
    assert ids.decode(bad) is None and ids.alert_key(bad) is None
    assert ids.item_key(ids.encode(ids.ITEM, "12:")) is None
    assert ids.customer_row(ids.encode(ids.CUSTOMER, "007")) is None
