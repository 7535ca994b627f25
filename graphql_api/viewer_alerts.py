"""The viewer's alerts within one request, and what stored membership says of them (SPEC §9):
their counts, a page's bells, and which of them are *live*.

Nothing is evaluated here: membership.py keeps the matches exact. A visible alert is live
when it can be evaluated: its criteria compile with this process's plugins, and its stored
membership is not frozen (`alert_states`). Any other alert matches nothing in every answer
and says why in `problems`, while its stored matches wait for it to come back.

Why a frozen alert whose criteria compile cannot be evaluated is the database's answer to
its SQL: it is probed once (for its version, today; sql_faults.py) and remembered by the
alert cache, so that `problems` names the criterion at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import false
from sqlalchemy.engine import Connection

from graphql_api import bell_queries, customer_queries, sql_faults
from graphql_api.alert_cache import AlertCache, VisibleAlert
from graphql_api.alerts import AlertTab
from graphql_api.criteria import Ledger, ParsedCriteria
from graphql_api.errors import invalid
from graphql_api.evaluation import Compiled
from graphql_api.loaders import CustomerPage, Loader
from graphql_api.plugins import CriteriaRegistry
from graphql_api.snapshot import Snapshot
from graphql_api.users import User

if TYPE_CHECKING:
    from graphql_api.graphql.alerts import Alert

T = TypeVar("T")

# Why a frozen alert matches nothing when its SQL no longer fails alone (it failed among
# others, or the database failed then): membership.py froze it and will try it again.
NOT_EVALUATED = (
    "the alert could not be evaluated when membership was last computed; it matches nothing "
    "until it can be"
)


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


def _compiling(visible: Mapping[int, VisibleAlert]) -> tuple[int, ...]:
    return tuple(i for i, v in visible.items() if not v.compiled.problems)


def _count_probe(conn: Connection, conditions: Mapping[Any, Compiled]) -> object:
    return customer_queries.customer_count(conn, [c.condition for c in conditions.values()])


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
        self._visible: Mapping[int, VisibleAlert] | None = None
        self._counts: dict[int, int] | None = None  # the live alerts' stored counts
        # The alerts' GraphQL objects by row id and by public key, as graphql/alerts.py
        # finds them (by id: shared by the requests handed the same alerts); reset when the
        # alerts are found to change.
        self.nodes: dict[int, Alert] | None = None
        self.nodes_by_key: dict[str, Alert] | None = None
        self._tabs: dict[AlertTab, frozenset[int]] = {}
        # For each customer of the page, the live alerts it matches (in the alerts' order)
        # and since when.
        self.bells: Loader[bell_queries.Matches] = Loader("bell", page, self._load_bells)

    def all(self) -> Mapping[int, VisibleAlert]:
        """The viewer's alerts, highest level first then by name, each compiled once."""
        if self._visible is None:
            self._visible = self.cache.visible(
                self.snapshot.conn, self.user, self.snapshot.alerts_version, self.ledger
            )
        return self._visible

    def get(self, alert_id: int | None) -> VisibleAlert | None:
        return None if alert_id is None else self.all().get(alert_id)

    def in_tab(self, tab: AlertTab) -> frozenset[int]:
        """The viewer's alerts in `tab` (a bell page asks for each customer)."""
        found = self._tabs.get(tab)
        if found is None:
            types = tab.types
            found = self._tabs[tab] = frozenset(
                i for i, v in self.all().items() if v.alert.type in types
            )
        return found

    def live(self) -> dict[int, int]:
        """The visible alerts that can be evaluated, with their stored counts, in the alerts'
        order: one statement per request."""
        if self._counts is None:
            self._counts = self._read_states()
        return self._counts

    def live_ids(self) -> Sequence[int]:
        """The keys of `live()`, in the same order, without reading the stored counts: the
        alerts that compile less those the snapshot's marks say are frozen or never
        evaluated (what `_read_states` finds). A bell page asks nothing else: on PostgreSQL
        one round trip fewer."""
        if self._counts is not None:
            return list(self._counts)
        compiling = self.cache.derived(self.all(), "compiling", _compiling)
        unsettled = self.snapshot.unsettled
        return [i for i in compiling if i not in unsettled] if unsettled else compiling

    def is_live(self, alert_id: int) -> bool:
        return alert_id in self.live()

    def match_count(self, alert_id: int) -> int:
        return self.live().get(alert_id, 0)

    def problems(self, alert_id: int) -> list[str]:
        """Why the alert cannot be evaluated; empty when it can (or is not visible)."""
        self.live()  # a frozen alert's reason is known once the states are read
        visible = self.get(alert_id)
        return [] if visible is None else list(visible.compiled.problems)

    def _read_states(self) -> dict[int, int]:
        visible = self.all()
        if not visible:
            return {}
        read = "SELECT alert_id, match_count, frozen FROM alert_states"
        rows = bell_queries.driver_rows(self.snapshot.conn, read, "alert_id", sorted(visible))
        states = {alert_id: (count, frozen) for alert_id, count, frozen in rows}
        unexplained = [
            i for i, v in visible.items()
            if i in states and states[i][1] and not v.compiled.problems
        ]  # fmt: skip
        if unexplained:
            self._explain_frozen(unexplained)
        # An alert with no state was never evaluated (a catch-up evaluates it): nothing yet.
        return {
            i: states[i][0]
            for i, v in self.all().items()
            if i in states and not states[i][1] and not v.compiled.problems
        }

    def _explain_frozen(self, alert_ids: list[int]) -> None:
        """Frozen alerts whose criteria compile: their SQL is probed for the criterion at
        fault, and they are remembered as broken (this version, today)."""
        conn = self.snapshot.conn
        visible = dict(self.all())
        suspects = {i: visible[i].compiled for i in alert_ids}
        works = sql_faults.database_works(conn)  # else no plugin is to blame, nor remembered
        found = sql_faults.failing(conn, self.ledger, suspects, _count_probe) if works else {}
        for alert_id in alert_ids:
            alert, problem = visible[alert_id].alert, found.get(alert_id, NOT_EVALUATED)
            broken = (
                self.cache.mark_broken(alert, self.ledger, problem)
                if works
                else Compiled(false(), (problem,))
            )
            visible[alert_id] = VisibleAlert(alert, broken)
        self._visible = visible
        # derived from the alerts as they were
        self.nodes = self.nodes_by_key = None
        self._tabs = {}

    def _load_bells(self, customer_ids: list[int]) -> dict[int, bell_queries.Matches]:
        position = {alert_id: n for n, alert_id in enumerate(self.live_ids())}
        return bell_queries.bell_entries(self.snapshot.conn, customer_ids, position)

    def guarded_read(self, run: Callable[[Connection], T], where: ParsedCriteria | None) -> T:
        """`run`, a statement filtered by search criteria. If the database fails it: a
        UserInputError naming the criterion at fault; else the error stands."""

        def recover(conn: Connection) -> T:
            if where is not None and sql_faults.database_works(conn):
                keys = sql_faults.culprits(conn, self.ledger, where, _count_probe)
                if keys:
                    raise invalid("where", f"{sql_faults.cause(keys)}: the search cannot run")
            raise NoPluginAtFault

        return recovering(self.snapshot, run, recover)
