"""What an application's requests share about alerts: each user's visible alerts, and the
alerts compiled with this process's plugins (whose problems say whether they can be
evaluated, SPEC §3).

Listing and decoding a user's alerts, and compiling them, would otherwise be a good part
of every bell page. Nothing here is a result: counts and bells are read by every request
from stored membership, in its own snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import false
from sqlalchemy.engine import Connection

from graphql_api.alerts import Alert, list_alerts
from graphql_api.criteria import Ledger, load_criteria
from graphql_api.evaluation import Compiled, compile_criteria
from graphql_api.plugins import CriteriaRegistry
from graphql_api.users import User


@dataclass(frozen=True)
class VisibleAlert:
    """An alert the viewer may see, with its criteria compiled for today."""

    alert: Alert
    compiled: Compiled


# Lists of visible alerts kept compiled (`AlertCache.visible`): one per user at the newest
# version, and those of requests still reading an older snapshot.
_MAX_VISIBLE = 1_000
# What is derived from them (`AlertCache.derived`): a few things of each.
_MAX_DERIVED = 4 * _MAX_VISIBLE

T = TypeVar("T")


class AlertCache:
    """Each user's visible alerts, and the alerts compiled to SQL.

    A user's list is kept under the database's alerts
    counter (`ledger_state.alerts_version`, bumped by triggers on every change to the
    alerts table), read by every request in its own snapshot: a change made by any
    process is seen by the next request, and a list is never served for a counter it
    was not read at. An alert's SQL only changes with its version, the registry or the
    day.
    """

    def __init__(self, registry: CriteriaRegistry, max_size: int = 20_000) -> None:
        self.registry = registry
        self.max_size = max_size
        self._lists: tuple[int, dict[int, list[Alert]]] = (-1, {})  # by user id, at a version
        self._compiled: dict[tuple[int, int, date], tuple[dict[str, Any], Compiled]] = {}
        # (id of a list `visible_to` handed out, day) -> (the list, kept alive so that its id
        # stays its own; its alerts compiled, by id)
        self._visible: dict[tuple[int, date], tuple[list[Alert], dict[int, VisibleAlert]]] = {}
        # (id of a mapping `visible` handed out, what) -> (the mapping, kept alive; what of it)
        self._derived: dict[tuple[int, str], tuple[Mapping[int, VisibleAlert], Any]] = {}

    def visible_to(self, conn: Connection, user: User, alerts_version: int) -> list[Alert]:
        """The user's visible alerts (see alerts.list_alerts), `conn` being at `alerts_version`.

        Only the newest version's lists are kept, one per user. A version and its lists
        are one tuple, replaced whole, so that a request (in another thread) never files
        its list under another version; one still reading an older snapshot lists its
        alerts itself."""
        version, lists = self._lists
        if alerts_version > version:
            version, lists = self._lists = (alerts_version, {})
        if alerts_version != version:
            return list_alerts(conn, user)
        found = lists.get(user.id)
        if found is None:
            found = list_alerts(conn, user)
            if len(lists) < self.max_size:
                lists[user.id] = found
        return found

    def visible(
        self, conn: Connection, user: User, alerts_version: int, ledger: Ledger
    ) -> Mapping[int, VisibleAlert]:
        """The user's visible alerts by id, in `visible_to`'s order, each compiled for the
        ledger's day: built once for each list handed out (every request asks; building
        100 of them was 2% of a bell page). Read only: it is shared."""
        alerts = self.visible_to(conn, user, alerts_version)
        key = (id(alerts), ledger.today)
        known = self._visible.get(key)
        if known is not None and known[0] is alerts:
            return known[1]
        found = {alert.id: VisibleAlert(alert, self.get(alert, ledger)) for alert in alerts}
        if len(self._visible) >= _MAX_VISIBLE:
            self._visible.clear()
        self._visible[key] = (alerts, found)
        return found

    def derived(
        self,
        visible: Mapping[int, VisibleAlert],
        what: str,
        build: Callable[[Mapping[int, VisibleAlert]], T],
    ) -> T:
        """`build(visible)`, made once for each mapping of visible alerts and shared, read
        only, by every request handed the same mapping: a bell page's alerts that can be
        evaluated, their GraphQL objects (100 of each were 2.5 % of a page)."""
        key = (id(visible), what)
        known = self._derived.get(key)
        if known is not None and known[0] is visible:
            found: T = known[1]
            return found
        found = build(visible)
        if len(self._derived) >= _MAX_DERIVED:
            self._derived.clear()
        self._derived[key] = (visible, found)
        return found

    def get(self, alert: Alert, ledger: Ledger) -> Compiled:
        key = (alert.id, alert.version, ledger.today)
        found = self._compiled.get(key)
        # the same criteria object while the alerts' lists are cached: no deep comparison
        if found is not None and (found[0] is alert.criteria or found[0] == alert.criteria):
            return found[1]
        compiled = compile_criteria(load_criteria(self.registry, alert.criteria), ledger)
        if len(self._compiled) >= self.max_size:
            self._compiled.clear()
        self._compiled[key] = (alert.criteria, compiled)
        return compiled

    def mark_broken(self, alert: Alert, ledger: Ledger, problem: str) -> Compiled:
        """The alert cannot be evaluated in the database (its membership is frozen): from now
        on (this version, this day) it matches nothing, for `problem`."""
        broken = Compiled(false(), (problem,))
        self._compiled[(alert.id, alert.version, ledger.today)] = (alert.criteria, broken)
        self._visible.clear()  # built with the alert's compilation before
        return broken
