"""The viewer's alerts within one request: listed and compiled once, all counted by one
statement, and a page's bells rung by another.

A plugin's predicate whose SQL fails in the database costs its alerts, not the request:
the failed statement's transaction is discarded, the alerts at fault are found
(sql_faults.py), marked broken for good (for their version, today: they match nothing and
say why in `problems`), and the statement runs again without them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from graphql_api import customer_queries, sql_faults
from graphql_api.alert_cache import AlertCache, VisibleAlert
from graphql_api.criteria import Ledger, ParsedCriteria
from graphql_api.errors import invalid
from graphql_api.evaluation import AlertStatements, Compiled
from graphql_api.loaders import CustomerPage, Loader
from graphql_api.plugins import CriteriaRegistry
from graphql_api.snapshot import Snapshot
from graphql_api.users import User

T = TypeVar("T")


class NoPluginAtFault(Exception):
    """The database failed a statement, and no plugin's SQL is to blame."""


def recovering(
    snapshot: Snapshot, run: Callable[[Connection], T], recover: Callable[[Connection], T]
) -> T:
    """`run` in the snapshot; should the database fail it (a plugin's SQL, maybe), `recover`
    in a new transaction. When `recover` finds no plugin at fault, the database's error stands.
    """
    try:
        return run(snapshot.conn)
    except Exception as error:
        if not sql_faults.is_sql_failure(error, snapshot.dialect):
            raise
        snapshot.discard(error)
        try:
            return recover(snapshot.conn)
        except NoPluginAtFault:
            raise error from None


class ViewerAlerts:
    def __init__(
        self,
        snapshot: Snapshot,
        cache: AlertCache,
        registry: CriteriaRegistry,
        user: User,
        ledger: Ledger,
        page: CustomerPage,
    ) -> None:
        self.snapshot = snapshot
        self.cache = cache
        self.registry = registry
        self.user = user
        self.ledger = ledger
        self._visible: dict[int, VisibleAlert] | None = None
        self._statements: AlertStatements | None = None
        self._counts: dict[int, int] | None = None
        # For each customer of the page, the ids of the visible alerts it matches.
        self.bells: Loader[list[int]] = Loader("bell", page, self._load_bells)

    def all(self) -> Mapping[int, VisibleAlert]:
        """The viewer's alerts, highest level first then by name, each compiled once."""
        if self._visible is None:
            version = self.snapshot.alerts_version
            self._visible = {
                alert.id: VisibleAlert(alert, self.cache.get(alert, self.ledger))
                for alert in self.cache.visible_to(self.snapshot.conn, self.user, version)
            }
        return self._visible

    def get(self, alert_id: int | None) -> VisibleAlert | None:
        return None if alert_id is None else self.all().get(alert_id)

    def match_count(self, alert_id: int) -> int:
        """Customers matching the alert; all visible alerts are counted by one statement."""
        if self._counts is None:
            self._counts = self._evaluated(lambda statements, conn: statements.match_counts(conn))
        return self._counts.get(alert_id, 0)

    def problems(self, alert_id: int) -> list[str]:
        """Why the alert cannot be evaluated: known once compiled, or once the database ran its
        SQL (so its matches are counted first, unless they have been this request already)."""
        visible = self.get(alert_id)
        if visible is not None and not visible.compiled.problems:
            self.match_count(alert_id)
            visible = self.get(alert_id)
        return [] if visible is None else list(visible.compiled.problems)

    def _load_bells(self, customer_ids: list[int]) -> dict[int, list[int]]:
        return self._evaluated(lambda s, conn: s.matching_alerts(conn, customer_ids))

    def _current_statements(self) -> AlertStatements:
        if self._statements is None:
            self._statements = self.cache.statements(self.all().values())
        return self._statements

    def _evaluated(self, run: Callable[[AlertStatements, Connection], T]) -> T:
        """`run` over the visible alerts' statements; if the database fails it, again without
        the alerts at fault (each probed alone, the way `run` runs them)."""

        def probe(conn: Connection, conditions: Mapping[Any, Compiled]) -> object:
            return run(AlertStatements(dict(enumerate(conditions.values()))), conn)

        def recover(conn: Connection) -> T:
            if not self._find_broken(probe, self._current_statements().ids):
                raise NoPluginAtFault
            return run(self._current_statements(), self.snapshot.conn)

        return recovering(self.snapshot, lambda c: run(self._current_statements(), c), recover)

    def guarded_read(
        self,
        run: Callable[[Connection], T],
        alert_id: int | None = None,
        where: ParsedCriteria | None = None,
    ) -> T | None:
        """`run`, a statement filtered by an alert's condition and/or search criteria. If the
        database fails it: None when the alert is at fault (it now matches nothing); a
        UserInputError naming the criterion when the search is; else the error stands."""

        def probe(conn: Connection, conditions: Mapping[Any, Compiled]) -> object:
            return customer_queries.customer_count(conn, [c.condition for c in conditions.values()])

        def recover(conn: Connection) -> T | None:
            if alert_id is not None and self._find_broken(probe, [alert_id]):
                return None
            if where is not None:
                keys = sql_faults.culprits(conn, self.ledger, where, probe)
                if keys:
                    raise invalid("where", f"{sql_faults.cause(keys)}: the search cannot run")
            raise NoPluginAtFault

        return recovering(self.snapshot, run, recover)

    def _find_broken(self, probe: sql_faults.Probe, alert_ids: Iterable[int]) -> dict[int, str]:
        """Probe the alerts (in a new read transaction); mark those at fault broken."""
        conn = self.snapshot.conn
        if not sql_faults.database_works(conn):
            return {}
        visible = dict(self.all())
        suspects = {i: visible[i].compiled for i in alert_ids if i in visible}
        found: dict[int, str] = sql_faults.failing(conn, self.ledger, suspects, probe)
        for alert_id, problem in found.items():
            alert = visible[alert_id].alert
            broken = self.cache.mark_broken(alert, self.ledger, problem)
            visible[alert_id] = VisibleAlert(alert, broken)
        if found:  # what this request answered already agrees: they match nothing
            self._visible = visible
            self._statements = None
            for alert_id in found:
                if self._counts is not None:
                    self._counts[alert_id] = 0
                for matched in self.bells.loaded.values():
                    if alert_id in matched:
                        matched.remove(alert_id)
        return found
