"""The web app (SPEC §10) in real headless Chromium, against `dso-alerts serve` over the demo
ledger, on each database: what a collector sees, compared with what the API answers.

Every test's tab refuses requests to any host but 127.0.0.1 and fails on a console error
(see web_browser.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import DATABASES, TODAY
from tests.live_server import LiveServer, live_server
from tests.test_fuzz_graphql import database_url
from tests.web_browser import (
    DESKTOP,
    PHONE,
    Watched,
    api,
    base_url,
    chromium,
    open_tab,
    rgb,
    set_collector,
    sign_in_link,
)

LATE = "Late by more than 20k, not reminded for 10 days"
IGNORED = "Items ignored during collection"
FRENCH = "French private-sector accounts not in dispute"
PRIVATE = "Alice's watch list: big accounts over their credit limit"
INSURER = "Outstanding above the insurer's guarantee"
# The worklist's first order and filter (web/src/Worklist.tsx): the most critical bells
# first, the largest overdue among equals; only the accounts with a bell in the tab.
DEFAULT_ORDER = [{"field": "BELL", "direction": "DESC"},
                 {"field": "OVERDUE_AMOUNT", "direction": "DESC"}]  # fmt: skip
COLLECTION_BELL = {"tab": "COLLECTION"}

ROWS = """query($tab: AlertTab, $orderBy: [CustomerOrder!], $alertId: ID, $where: CriteriaInput,
            $bell: BellFilter, $first: Int = 50) {
  customers(first: $first, orderBy: $orderBy, alertId: $alertId, where: $where, bell: $bell) {
    totalCount
    nodes { id accountNumber name
            bell(tab: $tab) { count color alerts { id name type color locked }
                              entries { since isNew alert { id } } } }
  }
}"""


@pytest.fixture(scope="module", params=DATABASES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp(f"web-{request.param}")
    with (
        database_url(request.param, request) as url,
        live_server(folder, database_url=url, today=TODAY.isoformat()) as running,
    ):
        collector = api(running, "admin", "{ customers(first: 1) { nodes { collector } } }")
        code = collector["customers"]["nodes"][0]["collector"]
        set_collector(running, url or f"sqlite:///{folder / 'demo.db'}", "bob", code)
        yield running
        log = running.log_text()
    assert "Traceback" not in log, log[-6000:]
    # Sign-in links carry the token in the fragment: no server log ever sees it.
    assert not any(token in log for token in running.tokens.values())


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def tab(browser: Browser) -> Iterator[Watched]:
    watched = open_tab(browser)
    yield watched
    watched.context.close()
    watched.assert_clean()


def signed_in(tab: Watched, server: LiveServer, user: str, path: str = "/") -> Page:
    tab.page.goto(sign_in_link(server, user, path))
    expect(tab.page.get_by_label(f"Signed in as {user}")).to_be_visible()
    return tab.page


def padlocks(scope: Any) -> Any:
    """Padlocks: elements whose accessible name is "Private" (SPEC §10)."""
    return scope.get_by_role("img", name="Private", exact=True)


def worklist_rows(page: Page) -> Any:
    return page.get_by_role("region", name=re.compile("worklist$")).locator("tbody tr")


def late_alert_and_its_first_account(server: LiveServer) -> tuple[str, dict[str, Any]]:
    """Alice's "not reminded" alert's id, and the first account it matches, as the API says."""
    alerts = api(server, "alice", "{ alerts { id name } }")["alerts"]
    late = next(a["id"] for a in alerts if a["name"] == LATE)
    return late, api(server, "alice", ROWS, tab=None, alertId=late)["customers"]["nodes"][0]


def accounts_of(data: dict[str, Any]) -> list[str]:
    return [node["accountNumber"] for node in data["customers"]["nodes"]]


# Sign-in


def test_a_sign_in_link_signs_in_and_leaves_no_token_in_the_address(
    tab: Watched, server: LiveServer
) -> None:
    page = signed_in(tab, server, "alice")
    assert "token" not in page.url
    expect(page.get_by_role("link", name="Collection", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    # A deep link loads the app too.
    page.goto(f"{base_url(server)}/changes")
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()


def test_pasting_a_token_signs_in_and_nothing_is_asked_before(
    tab: Watched, server: LiveServer
) -> None:
    page = tab.page
    page.goto(base_url(server) + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.wait_for_timeout(300)
    assert tab.graphql_requests == []  # no API call before sign-in
    page.get_by_label("Token").fill(server.tokens["bob"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Signed in as bob")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_queries_go_by_their_hash_once_the_server_knows_them(
    tab: Watched, server: LiveServer
) -> None:
    page = signed_in(tab, server, "alice")
    expect(worklist_rows(page).first).to_be_visible()
    tab.graphql_requests.clear()
    page.reload()
    expect(worklist_rows(page).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    sent = tab.graphql_requests
    assert sent and all(body["extensions"]["persistedQuery"]["sha256Hash"] for body in sent)
    assert all("query" not in body for body in sent), sent  # known: the hash alone


def test_a_refused_token_returns_to_sign_in(tab: Watched, server: LiveServer) -> None:
    page = tab.page
    page.goto(base_url(server) + "/#token=not-a-token-of-anyone")
    expect(page.get_by_role("alert")).to_contain_text("refused")
    expect(page.get_by_label("Token")).to_be_visible()
    # The browser reports the 401 itself; that is the one expected error.
    tab.problems[:] = [p for p in tab.problems if "401" not in p]


# The worklist and its bells


def test_the_worklist_shows_the_accounts_and_bells_the_api_gives(
    tab: Watched, server: LiveServer
) -> None:
    page = signed_in(tab, server, "alice")
    expected = api(server, "alice", ROWS, tab="COLLECTION", orderBy=DEFAULT_ORDER,
                   bell=COLLECTION_BELL)  # fmt: skip
    nodes = expected["customers"]["nodes"]
    rows = worklist_rows(page)
    expect(rows).to_have_count(len(nodes))
    expect(rows.locator("td:first-child a")).to_have_text([n["accountNumber"] for n in nodes])
    total = f"of {expected['customers']['totalCount']:,}"
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text(total)
    for index, node in enumerate(nodes[:20]):
        bell = node["bell"]
        cell = rows.nth(index).locator("td").last
        if bell["count"] == 0:
            expect(cell.get_by_label("No alert")).to_be_visible()
            continue
        button = cell.get_by_role("button", name=f"{bell['count']} alert")
        expect(button).to_have_text(str(bell["count"]))
        expect(button).to_have_css("color", rgb(bell["color"]))
        squares = rows.nth(index).get_by_role("img", name=re.compile("^Matches "))
        expect(squares.locator("span")).to_have_count(len(bell["alerts"]))


def bell_list_of(page: Page, account: str) -> Any:
    return page.get_by_role("tooltip").filter(has_text=f"Alerts on {account}")


def test_hovering_or_focusing_a_bell_lists_its_alerts_with_type_and_colour(
    tab: Watched, server: LiveServer
) -> None:
    page = signed_in(tab, server, "alice")
    data = api(server, "alice", ROWS, tab="COLLECTION", orderBy=DEFAULT_ORDER,
               bell=COLLECTION_BELL)  # fmt: skip
    # An account whose bell has a COLLECTION alert and the NONE-type one.
    node = next(
        n for n in data["customers"]["nodes"]
        if {"COLLECTION", "NONE"} <= {a["type"] for a in n["bell"]["alerts"]}
    )  # fmt: skip
    row = worklist_rows(page).filter(
        has=page.get_by_role("link", name=node["accountNumber"], exact=True)
    )
    bell = row.get_by_role("button", name=re.compile(r"\d+ alerts? on"))

    bell.hover()
    shown = bell_list_of(page, node["accountNumber"])
    expect(shown).to_be_visible()
    entries = shown.get_by_role("listitem")
    expect(entries).to_have_count(node["bell"]["count"])
    bell_entries = node["bell"]["entries"]
    for index, alert in enumerate(node["bell"]["alerts"]):
        prefix = {"COLLECTION": "Collection ", "RISK": "Risk ", "NONE": ""}[alert["type"]]
        since = "since " + bell_entries[index]["since"][:10]
        expect(entries.nth(index)).to_have_text(
            re.compile("^" + re.escape(prefix + alert["name"]) + ".*" + since)
        )
        expect(entries.nth(index)).to_have_css("color", rgb(alert["color"]))
    page.mouse.move(5, 5)
    expect(shown).to_be_hidden()

    # By keyboard: focusing the bell opens the same list; leaving it closes it.
    bell.focus()
    expect(bell_list_of(page, node["accountNumber"])).to_be_visible()
    page.keyboard.press("Tab")
    expect(bell_list_of(page, node["accountNumber"])).to_be_hidden()


def test_the_padlock_is_on_the_private_alert_only(tab: Watched, server: LiveServer) -> None:
    page = signed_in(tab, server, "alice", "/risk")
    alerts = page.get_by_role("region", name="My alerts · Risk").get_by_role("listitem")
    private = alerts.filter(has_text=PRIVATE)
    expect(padlocks(private)).to_have_count(1)
    expect(padlocks(alerts.filter(has_text=INSURER))).to_have_count(0)
    expect(padlocks(page.get_by_role("region", name="My alerts · Risk"))).to_have_count(1)

    # In a bell's list too, beside the private alert alone.
    mine = api(server, "alice", "{ alerts { id name } }")["alerts"]
    alert_id = next(a["id"] for a in mine if a["name"] == PRIVATE)
    node = api(server, "alice", ROWS, tab="RISK", alertId=alert_id)["customers"]["nodes"][0]
    search = page.get_by_role("searchbox", name="Search accounts")
    search.fill(node["accountNumber"])
    row = worklist_rows(page).filter(
        has=page.get_by_role("link", name=node["accountNumber"], exact=True)
    )
    # The search's answer replaced the table: a hover before it would open a list that the
    # new rows then take away.
    expect(worklist_rows(page).locator("td:first-child a")).to_have_text([node["accountNumber"]])
    row.get_by_role("button", name=re.compile("alerts? on")).hover()
    entries = bell_list_of(page, node["accountNumber"]).get_by_role("listitem")
    expect(padlocks(entries.filter(has_text=PRIVATE))).to_have_count(1)
    expect(padlocks(entries)).to_have_count(1)

    # Bob never sees it.
    other = open_tab(page.context.browser)  # type: ignore[arg-type]
    try:
        other.page.goto(sign_in_link(server, "bob", "/risk"))
        expect(other.page.get_by_text(INSURER)).to_be_visible()
        expect(other.page.get_by_text(PRIVATE)).to_have_count(0)
        expect(padlocks(other.page)).to_have_count(0)
        other.assert_clean()
    finally:
        other.context.close()


@pytest.mark.parametrize(
    ("column", "field", "first"),
    [("Outstanding", "OUTSTANDING_AMOUNT", "DESC"), ("Name", "NAME", "ASC"),
     ("Last reminder", "LAST_REMINDER_DATE", "DESC")],
)  # fmt: skip
def test_sorting_a_column_reorders_as_the_api_does(
    tab: Watched, server: LiveServer, column: str, field: str, first: str
) -> None:
    page = signed_in(tab, server, "alice")
    header = page.get_by_role("columnheader", name=column)
    for direction in (first, "ASC" if first == "DESC" else "DESC"):
        header.get_by_role("button").click()
        expected = api(server, "alice", ROWS, tab="COLLECTION", bell=COLLECTION_BELL,
                       orderBy=[{"field": field, "direction": direction}])  # fmt: skip
        sort = "ascending" if direction == "ASC" else "descending"
        expect(header).to_have_attribute("aria-sort", sort)
        expect(worklist_rows(page).locator("td:first-child a")).to_have_text(accounts_of(expected))


def test_search_my_portfolio_and_paging_follow_the_api(tab: Watched, server: LiveServer) -> None:
    page = signed_in(tab, server, "bob")
    me = api(server, "bob", "{ me { collector } }")["me"]
    mine = api(server, "bob", ROWS, tab="COLLECTION", orderBy=DEFAULT_ORDER, bell=COLLECTION_BELL,
               where={"collector": {"values": [me["collector"]]}})  # fmt: skip
    page.get_by_label("My portfolio").check()
    expect(worklist_rows(page).locator("td:first-child a")).to_have_text(accounts_of(mine))
    page.get_by_label("My portfolio").uncheck()

    # Every account, not only those with a bell in the tab; then the new ones only.
    pages = page.get_by_role("navigation", name="Pages")
    everyone = api(server, "bob", ROWS, orderBy=DEFAULT_ORDER)["customers"]["totalCount"]
    page.get_by_label("Only accounts with a bell in this tab").uncheck()
    expect(pages).to_contain_text(f"of {everyone:,}")
    page.get_by_label("Only accounts with a bell in this tab").check()
    fresh = api(server, "bob", ROWS, orderBy=DEFAULT_ORDER,
                bell={**COLLECTION_BELL, "newOnly": True})["customers"]  # fmt: skip
    page.get_by_label("New only").check()
    accounts = worklist_rows(page).locator("td:first-child a")
    expect(accounts).to_have_text(accounts_of({"customers": fresh}))
    page.get_by_label("New only").uncheck()

    every = api(server, "bob", ROWS, orderBy=DEFAULT_ORDER, bell=COLLECTION_BELL, first=100)
    second = [n["accountNumber"] for n in every["customers"]["nodes"][50:100]]
    page.get_by_role("button", name="Next ›").click()
    expect(worklist_rows(page).locator("td:first-child a")).to_have_text(second)
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("51–100 of")
    page.get_by_role("button", name="‹ Previous").click()
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("1–50 of")

    name = every["customers"]["nodes"][3]["accountNumber"]
    page.get_by_role("searchbox", name="Search accounts").fill(name)
    expect(worklist_rows(page).locator("td:first-child a")).to_have_text([name])


# The alert editor


def count_of(server: LiveServer, where: dict[str, Any]) -> int:
    query = "query($w: CriteriaInput) { customers(where: $w) { totalCount } }"
    return int(api(server, "alice", query, w=where)["customers"]["totalCount"])


def add_criterion(page: Page, label: str) -> Any:
    page.get_by_role("combobox", name="Add a criterion").select_option(label=label)
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))


def test_creating_editing_and_deleting_an_alert_in_the_editor(
    tab: Watched, server: LiveServer, browser: Browser
) -> None:
    page = signed_in(tab, server, "alice")
    criteria = api(server, "alice", "{ criteria { key label values } }")["criteria"]
    registry = {c["key"]: c for c in criteria}
    countries = registry["country"]["values"][:2]
    page.get_by_role("button", name="New alert").click()
    editor = page.get_by_role("dialog", name="New alert")
    expect(editor).to_be_visible()

    # The picker lists every criterion's label.
    options = editor.get_by_role("combobox", name="Add a criterion").locator("option")
    expect(options).to_have_count(len(registry) + 1)  # and "+ Add a criterion…"
    labels = set(options.all_inner_texts())
    assert {c["label"] for c in registry.values()} <= labels

    editor.get_by_label("Name").fill("Browser test: France or Belgium, late")
    country = add_criterion(page, registry["country"]["label"])
    for value in countries:
        country.get_by_role("combobox", name=re.compile("^Add a value")).select_option(value)
    expect(country.get_by_role("listitem")).to_have_text([re.compile(v) for v in countries])
    overdue = add_criterion(page, registry["overdueAmount"]["label"])
    overdue.get_by_role("textbox", name=re.compile("minimum$")).fill("10000")
    disputed = add_criterion(page, registry["itemDisputed"]["label"])
    disputed.get_by_text("No", exact=True).click()

    where = {"country": {"op": "IS", "values": countries}, "overdueAmount": {"min": "10000"},
             "itemDisputed": False}  # fmt: skip
    expected = count_of(server, where)
    expect(editor.get_by_text(re.compile(r"match these criteria"))).to_have_text(
        re.compile(rf"^{expected:,} accounts? match")
    )
    # A bad bound is refused beside its own criterion, by the live count.
    overdue.get_by_role("textbox", name=re.compile("maximum$")).fill("5")
    expect(overdue.get_by_role("alert")).to_be_visible()
    expect(country.get_by_role("alert")).to_have_count(0)
    overdue.get_by_role("textbox", name=re.compile("maximum$")).fill("")

    editor.get_by_role("radio", name="Risk").check()
    editor.get_by_role("button", name="Create alert").click()
    expect(editor).to_be_hidden()
    heading = page.get_by_role("heading", name=re.compile("Browser test: France or Belgium"))
    expect(heading).to_be_visible()
    expect(padlocks(heading)).to_have_count(1)
    stat = page.get_by_text("accounts match", exact=True).locator("..")
    expect(stat).to_contain_text(f"{expected:,}")
    alert_url = page.url

    # Edit: a higher amount, fewer accounts.
    page.get_by_role("button", name="Edit alert").click()
    editor = page.get_by_role("dialog", name="Edit alert")
    label = re.escape(registry["overdueAmount"]["label"])
    overdue = editor.get_by_role("group", name=re.compile(label))
    expect(overdue.get_by_role("textbox", name=re.compile("minimum$"))).to_have_value("10000")
    overdue.get_by_role("textbox", name=re.compile("minimum$")).fill("50000")
    expected = count_of(server, {**where, "overdueAmount": {"min": "50000"}})
    expect(editor.get_by_text(re.compile("match these criteria"))).to_have_text(
        re.compile(rf"^{expected:,} accounts? match")
    )
    editor.get_by_role("button", name="Save changes").click()
    expect(editor).to_be_hidden()
    expect(page.get_by_text("version 2")).to_be_visible()

    # CONFLICT: a second tab saves first; this one is told, and may load their version.
    page.get_by_role("button", name="Edit alert").click()
    editor = page.get_by_role("dialog", name="Edit alert")
    expect(editor.get_by_label("Name")).to_have_value(re.compile("Browser test"))
    second = open_tab(browser)
    try:
        second.page.goto(alert_url + "#token=" + server.tokens["alice"])
        second.page.get_by_role("button", name="Edit alert").click()
        other = second.page.get_by_role("dialog", name="Edit alert")
        other.get_by_label("Name").fill("Browser test: renamed in another tab")
        other.get_by_role("button", name="Save changes").click()
        expect(other).to_be_hidden()
        second.assert_clean()
    finally:
        second.context.close()
    editor.get_by_label("Name").fill("Browser test: my rename")
    editor.get_by_role("button", name="Save changes").click()
    conflict = editor.get_by_role("alert").filter(has_text="Someone else saved this alert")
    expect(conflict).to_contain_text("version 3")
    editor.get_by_role("button", name="Load their version").click()
    expect(editor.get_by_label("Name")).to_have_value("Browser test: renamed in another tab")

    # Delete.
    editor.get_by_role("button", name="Delete alert").click()
    editor.get_by_role("button", name="Yes, delete").click()
    expect(editor).to_be_hidden()
    names = [a["name"] for a in api(server, "alice", "{ alerts { name } }")["alerts"]]
    assert not any(n.startswith("Browser test") for n in names)
    expect(page.get_by_text("Browser test")).to_have_count(0)


# The customer file


def test_logging_a_reminder_takes_the_account_out_of_a_not_reminded_alert(
    tab: Watched, server: LiveServer
) -> None:
    late, node = late_alert_and_its_first_account(server)
    page = signed_in(tab, server, "alice", f"/customers/{node['id']}")
    expect(page.get_by_role("heading", name=re.compile(node["accountNumber"]))).to_be_visible()
    bell = page.get_by_role("button", name=re.compile(rf"alerts? on {node['accountNumber']}$"))
    bell.hover()
    expect(bell_list_of(page, node["accountNumber"])).to_contain_text(LATE)

    reminders = page.get_by_role("region", name="Reminders")
    reminders.get_by_label("Channel").select_option("PHONE")
    reminders.get_by_label("Note").fill("Promised to pay Friday")
    reminders.get_by_role("button", name="Log reminder").click()
    expect(reminders.get_by_text("Promised to pay Friday")).to_be_visible()
    figures = page.get_by_role("region", name="Figures")
    last = figures.locator("div").filter(has_text="Last reminder")
    expect(last).to_contain_text(TODAY.isoformat())
    members = api(server, "alice", ROWS, tab=None, alertId=late)
    assert node["accountNumber"] not in accounts_of(members)
    page.get_by_role("heading", name=re.compile(node["accountNumber"])).hover()
    bell.hover()
    expect(bell_list_of(page, node["accountNumber"])).not_to_contain_text(LATE)
    history = page.get_by_role("region", name="Alert history")
    expect(history.get_by_role("listitem").first).to_contain_text("left")

    # Deleting the reminder puts the account back.
    reminders.get_by_role("button", name=f"Delete the reminder of {TODAY.isoformat()}").click()
    expect(reminders.get_by_text("Promised to pay Friday")).to_have_count(0)
    members = api(server, "alice", ROWS, tab=None, alertId=late)
    assert node["accountNumber"] in accounts_of(members)


def test_an_alert_page_and_what_changed_list_the_change_a_reminder_made(
    tab: Watched, server: LiveServer
) -> None:
    late, node = late_alert_and_its_first_account(server)
    logged = api(server, "alice", """mutation($id: ID!) {
        logReminder(input: {customerId: $id}) { reminder { id } errors { message } } }""",
        id=node["id"])["logReminder"]  # fmt: skip
    assert logged["errors"] == []
    try:
        page = signed_in(tab, server, "alice", f"/alerts/{late}")
        newest = page.get_by_role("region", name="Changes of this alert").locator("tbody tr").first
        expect(newest).to_contain_text(node["accountNumber"])
        expect(newest.locator("td")).to_have_text(
            [re.compile(r"\d"), "left", node["accountNumber"], node["name"], "reminder"]
        )
        page.get_by_role("link", name="What changed", exact=True).click()
        # One reminder can take the account out of several alerts: the row of this one.
        rows = page.get_by_role("region", name="Changes", exact=True).locator("tbody tr")
        newest = rows.filter(has_text=LATE).first
        expect(newest.locator("td")).to_have_text(
            [re.compile(r"\d"), "left", re.compile(re.escape(LATE)), node["accountNumber"],
             node["name"], "reminder"]
        )  # fmt: skip
        newest.get_by_role("link", name=node["accountNumber"]).click()
        expect(page.get_by_role("heading", name=re.compile(node["accountNumber"]))).to_be_visible()
    finally:
        delete = "mutation($id: ID!) { deleteReminder(id: $id) { errors { message } } }"
        api(server, "alice", delete, id=logged["reminder"]["id"])


def test_a_viewer_sees_no_edit_controls(tab: Watched, server: LiveServer) -> None:
    page = signed_in(tab, server, "viewer")
    expect(worklist_rows(page).first).to_be_visible()
    expect(page.get_by_role("button", name="New alert")).to_have_count(0)
    mark_all = page.get_by_role("button", name=re.compile("Mark all Collection alerts"))
    expect(mark_all).to_be_visible()
    page.get_by_role("link", name=LATE, exact=True).click()
    expect(page.get_by_role("heading", name=LATE)).to_be_visible()
    expect(page.get_by_role("button", name="Edit alert")).to_have_count(0)
    members = page.get_by_role("region", name=re.compile("^Accounts matching")).locator("tbody tr")
    members.first.locator("td:first-child a").click()
    expect(page.get_by_role("region", name="Reminders")).to_be_visible()
    expect(page.get_by_role("button", name="Log reminder")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Delete"))).to_have_count(0)
    page.goto(base_url(server) + "/search")
    expect(page.get_by_role("heading", name="Advanced search")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Save as a new alert"))).to_have_count(0)


def test_advanced_search_of_customers_and_items(tab: Watched, server: LiveServer) -> None:
    page = signed_in(tab, server, "alice", "/search")
    registry = {c["key"]: c for c in api(server, "alice", "{ criteria { key label } }")["criteria"]}
    days = add_criterion(page, registry["daysOverdue"]["label"])
    days.get_by_role("textbox", name=re.compile("minimum$")).fill("600")
    expected = api(server, "alice", ROWS, tab=None, where={"daysOverdue": {"min": 600}},
                   orderBy=[{"field": "OVERDUE_AMOUNT", "direction": "DESC"}])  # fmt: skip
    table = page.get_by_role("region", name="Matching customers")
    results = table.locator("tbody tr td:first-child a")
    expect(results).to_have_text(accounts_of(expected))
    page.get_by_role("radio", name="Items").check()
    query = "query($w: CriteriaInput) { items(where: $w) { totalCount } }"
    total = api(server, "alice", query, w={"daysOverdue": {"min": 600}})["items"]["totalCount"]
    expect(page.get_by_text(re.compile(r"open items?$"))).to_have_text(f"{total:,} open items")


# Every screen at phone width


def test_no_screen_scrolls_sideways_at_390_px(browser: Browser, server: LiveServer) -> None:
    tab = open_tab(browser, PHONE)
    try:
        page = tab.page
        page.goto(sign_in_link(server, "alice"))
        expect(worklist_rows(page).first).to_be_visible()
        customer = worklist_rows(page).first.locator("td:first-child a").get_attribute("href")
        alerts = api(server, "alice", "{ alerts { id } }")["alerts"]
        for path in ("/", "/risk", "/changes", "/search", customer, f"/alerts/{alerts[0]['id']}"):
            page.goto(base_url(server) + str(path))
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(200)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide"
        page.goto(base_url(server) + "/")
        page.get_by_role("button", name="New alert").click()
        expect(page.get_by_role("dialog", name="New alert")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        tab.assert_clean()
    finally:
        tab.context.close()


def test_screenshots(browser: Browser, server: LiveServer, tmp_path: Path) -> None:
    """The README's screenshots (`make screenshots` writes them to docs/): the worklist with a
    bell's list open, and the alert editor."""
    import os

    folder = Path(os.environ.get("DSO_ALERTS_SCREENSHOTS") or tmp_path)
    tab = open_tab(browser, DESKTOP)
    try:
        page = tab.page
        page.goto(sign_in_link(server, "alice"))
        rows = worklist_rows(page)
        expect(rows.first).to_be_visible()
        busy = rows.filter(has=page.get_by_role("button", name=re.compile("^[3-9] alerts on")))
        busy.first.get_by_role("button", name=re.compile("alerts on")).hover()
        expect(page.get_by_role("tooltip")).to_be_visible()
        page.screenshot(path=str(folder / "worklist.png"))
        page.mouse.move(5, 5)
        page.get_by_role("link", name="Risk", exact=True).click()
        page.get_by_role("link", name=PRIVATE, exact=True).click()
        page.get_by_role("button", name="Edit alert").click()
        editor = page.get_by_role("dialog", name="Edit alert")
        expect(editor.get_by_text(re.compile("match these criteria"))).to_be_visible()
        page.screenshot(path=str(folder / "alert-editor.png"))
        tab.assert_clean()
    finally:
        tab.context.close()
    for name in ("worklist.png", "alert-editor.png"):
        assert (folder / name).stat().st_size > 10_000
