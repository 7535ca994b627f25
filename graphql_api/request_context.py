"""What one GraphQL request shares: the viewer, one snapshot of the database, and batch caches.

Everything is lazy. The read transaction opens on the first read (after the
figures were made current for today) and closes with the request. The
viewer's visible alerts are listed and compiled once. Bells, match counts,
reminders and item pages are computed for every customer the request has
shown so far, in one statement each, the first time any of them is asked for.

A plugin's predicate whose SQL fails in the database costs its alerts, not the
request: the failed statement's transaction is discarded, the alerts at fault are
found (sql_faults.py), marked broken for good (for their version, today: they match
nothing and say why in `problems`), and the statement runs again without them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Engine, Row, false
from sqlalchemy.engine import Connection

from graphql_api import evaluation, sql_faults
from graphql_api.alerts import Alert, list_alerts
from graphql_api.criteria import Ledger, ParsedCriteria, load_criteria
from graphql_api.errors import invalid
from graphql_api.evaluation import AlertStatements, Compiled, compile_criteria, ledger_for
from graphql_api.figures import ensure_figures_current
from graphql_api.plugins import CriteriaRegistry
from graphql_api.reminders import Reminder, reminders_of
from graphql_api.settings import today as settings_today
from graphql_api.storage import ledger_marks, read_transaction, write_transaction
from graphql_api.users import User, authenticate, users_by_id

T = TypeVar("T")


@dataclass(frozen=True)
class VisibleAlert:
    """An alert the viewer may see, with its criteria compiled for today."""

    alert: Alert
    compiled: Compiled


class AlertCache:
    """What an application's requests share about alerts: each user's visible alerts, the
    alerts compiled to SQL, and the many-alert statements over them.

    Listing and decoding a user's alerts, and compiling them, would otherwise be a
    good part of every bell page. A user's list is kept under the database's alerts
    counter (`ledger_state.alerts_version`, bumped by triggers on every change to the
    alerts table), read by every request in its own snapshot: a change made by any
    process is seen by the next request, and a list is never served for a counter it
    was not read at. An alert's SQL only changes with its version, the registry or the
    day; the statements with the set of alerts they cover.
    """

    def __init__(self, registry: CriteriaRegistry, max_size: int = 20_000) -> None:
        self.registry = registry
        self.max_size = max_size
        self._lists: tuple[int, dict[int, list[Alert]]] = (-1, {})  # by user id, at a version
        self._compiled: dict[tuple[int, int, date], tuple[dict[str, Any], Compiled]] = {}
        self._statements: dict[tuple[Any, ...], AlertStatements] = {}

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

    def get(self, alert: Alert, ledger: Ledger) -> Compiled:
        key = (alert.id, alert.version, ledger.today)
        found = self._compiled.get(key)
        if found is not None and found[0] == alert.criteria:
            return found[1]
        compiled = compile_criteria(load_criteria(self.registry, alert.criteria), ledger)
        if len(self._compiled) >= self.max_size:
            self._compiled.clear()
        self._compiled[key] = (alert.criteria, compiled)
        return compiled

    def mark_broken(self, alert: Alert, ledger: Ledger, problem: str) -> Compiled:
        """The alert's SQL fails in the database: from now on (this version, this day) it
        matches nothing, for `problem`, and the many-alert statements leave it out."""
        broken = Compiled(false(), (problem,))
        self._compiled[(alert.id, alert.version, ledger.today)] = (alert.criteria, broken)
        return broken

    def statements(self, visible: Iterable[VisibleAlert]) -> AlertStatements:
        """The statements over the alerts that can be evaluated (the others match nothing)."""
        usable = [v for v in visible if not v.compiled.problems]
        key = tuple((v.alert.id, id(v.compiled)) for v in usable)
        found = self._statements.get(key)
        if found is None:
            if len(self._statements) >= 256:
                self._statements.clear()
            found = self._statements[key] = AlertStatements(
                {v.alert.id: v.compiled for v in usable}
            )
        return found


class RequestContext:
    """Per-request state, passed to strawberry as `info.context`. Use it as a context manager."""

    def __init__(
        self,
        engine: Engine,
        registry: CriteriaRegistry,
        user: User,
        today: date | None = None,
        cache: AlertCache | None = None,
        request_id: str = "-",
    ) -> None:
        self.engine = engine
        self.request_id = request_id  # in the logs of this request's unexpected errors
        self.registry = registry
        self.user = user
        self.today = today or settings_today()
        self.ledger = ledger_for(self.today)
        self.cache = cache or AlertCache(registry)
        self._transaction: contextlib.ExitStack | None = None
        self._conn: Connection | None = None
        self._marked = False  # whether the transaction's ledger marks were read
        self._alerts_version = 0  # as the read transaction sees it
        self._forget()

    @classmethod
    def signed_in(
        cls, engine: Engine, registry: CriteriaRegistry, token: str, **options: Any
    ) -> RequestContext | None:
        """The context of a request sent with `token`, or None when no user has it (unknown
        or revoked). The token is looked up by the first statement of the request's own
        read transaction, which the request then goes on with."""
        with contextlib.ExitStack() as transaction:
            conn = transaction.enter_context(read_transaction(engine))
            user = authenticate(conn, token)
            if user is None:
                return None
            context = cls(engine, registry, user, **options)
            context._transaction, context._conn = transaction.pop_all(), conn
            return context

    def __enter__(self) -> RequestContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the database -----------------------------------------------------------------

    @property
    def conn(self) -> Connection:
        """The request's read transaction, opened on first use, with today's figures."""
        if self._conn is None:
            self._open()
        if not self._marked:  # the transaction's first read: the figures' day, the alerts
            figures_date, self._alerts_version = ledger_marks(self._read())
            if figures_date != self.today:
                self.close()
                ensure_figures_current(self.engine, self.today)
                _, self._alerts_version = ledger_marks(self._open())
            self._marked = True
        return self._read()

    def _open(self) -> Connection:
        self._transaction = contextlib.ExitStack()
        self._conn = self._transaction.enter_context(read_transaction(self.engine))
        return self._conn

    def _read(self) -> Connection:
        assert self._conn is not None
        return self._conn

    def close(self) -> None:
        """End the read transaction (if one was opened)."""
        self._marked = False
        if self._transaction is not None:
            transaction, self._transaction, self._conn = self._transaction, None, None
            transaction.close()

    def _discard(self, error: BaseException) -> None:
        """Roll back the read transaction after `error` (PostgreSQL refuses every statement
        after a failed one); the next read opens a new one."""
        self._marked = False
        if self._transaction is not None:
            transaction, self._transaction, self._conn = self._transaction, None, None
            transaction.__exit__(type(error), error, error.__traceback__)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction; what was read or cached before it is forgotten, before and after."""
        self.close()
        self._forget()
        try:
            with write_transaction(self.engine) as conn:
                yield conn
        finally:
            self._forget()

    def _forget(self) -> None:
        self.close()
        self._visible: dict[int, VisibleAlert] | None = None
        self._counts: dict[int, int] | None = None
        self._alert_statements: AlertStatements | None = None
        self._owners: dict[int, User] | None = None
        self._known_values: dict[str, list[str]] | None = None
        self._shown: dict[int, None] = {}  # customers shown so far, in order
        self._bells: dict[int, list[int]] = {}
        self._reminders: dict[int, list[Reminder]] = {}
        self._items: dict[tuple[int, int], dict[int, tuple[list[Row[Any]], int]]] = {}
        self.nodes: dict[Any, Any] = {}  # GraphQL objects built once per request

    # -- alerts -----------------------------------------------------------------------

    def visible_alerts(self) -> Mapping[int, VisibleAlert]:
        """The viewer's alerts, highest level first then by name, each compiled once."""
        if self._visible is None:
            conn = self.conn  # first: it reads the alerts counter
            self._visible = {
                alert.id: VisibleAlert(alert, self.cache.get(alert, self.ledger))
                for alert in self.cache.visible_to(conn, self.user, self._alerts_version)
            }
        return self._visible

    def visible_alert(self, alert_id: int | None) -> VisibleAlert | None:
        return None if alert_id is None else self.visible_alerts().get(alert_id)

    def _statements(self) -> AlertStatements:
        if self._alert_statements is None:
            self._alert_statements = self.cache.statements(self.visible_alerts().values())
        return self._alert_statements

    def match_count(self, alert_id: int) -> int:
        """Customers matching the alert; all visible alerts are counted by one statement."""
        if self._counts is None:
            self._counts = self._evaluated(lambda statements, conn: statements.match_counts(conn))
        return self._counts.get(alert_id, 0)

    def alert_problems(self, alert_id: int) -> list[str]:
        """Why the alert cannot be evaluated: known once compiled, or once the database ran its
        SQL (so its matches are counted first, unless it has been this request already)."""
        visible = self.visible_alert(alert_id)
        if visible is not None and not visible.compiled.problems:
            self.match_count(alert_id)
            visible = self.visible_alert(alert_id)
        return [] if visible is None else list(visible.compiled.problems)

    def _evaluated(self, run: Callable[[AlertStatements, Connection], T]) -> T:
        """`run` over the visible alerts' statements; if the database fails it, again without
        the alerts at fault (each probed alone, the way `run` runs them)."""
        try:
            return run(self._statements(), self.conn)
        except Exception as error:
            if not sql_faults.is_sql_failure(error, self.engine.dialect):
                raise
            self._discard(error)

            def probe(conn: Connection, conditions: Mapping[Any, Compiled]) -> object:
                return run(AlertStatements(dict(enumerate(conditions.values()))), conn)

            if not self._find_broken(probe, self._statements().ids):
                raise
        return run(self._statements(), self.conn)

    def guarded_read(
        self,
        run: Callable[[Connection], T],
        alert_id: int | None = None,
        where: ParsedCriteria | None = None,
    ) -> T | None:
        """`run`, a statement filtered by an alert's condition and/or search criteria. If the
        database fails it: None when the alert is at fault (it now matches nothing); a
        UserInputError naming the criterion when the search is; else the error stands."""
        try:
            return run(self.conn)
        except Exception as error:
            if not sql_faults.is_sql_failure(error, self.engine.dialect):
                raise
            self._discard(error)

            def probe(conn: Connection, conditions: Mapping[Any, Compiled]) -> object:
                return evaluation.customer_count(conn, [c.condition for c in conditions.values()])

            if alert_id is not None and self._find_broken(probe, [alert_id]):
                return None
            if where is not None:
                keys = sql_faults.culprits(self.conn, self.ledger, where, probe)
                if keys:
                    message = f"{sql_faults.cause(keys)}: the search cannot run"
                    raise invalid("where", message) from None
            raise

    def _find_broken(self, probe: sql_faults.Probe, alert_ids: Iterable[int]) -> dict[int, str]:
        """Probe the alerts (in a new read transaction); mark those at fault broken."""
        conn = self.conn
        if not sql_faults.database_works(conn):
            return {}
        visible = self.visible_alerts()
        suspects = {i: visible[i].compiled for i in alert_ids if i in visible}
        found: dict[int, str] = sql_faults.failing(conn, self.ledger, suspects, probe)
        for alert_id, problem in found.items():
            alert = visible[alert_id].alert
            broken = self.cache.mark_broken(alert, self.ledger, problem)
            self._visible[alert_id] = VisibleAlert(alert, broken)  # type: ignore[index]
        if found:  # what this request answered already agrees: they match nothing
            self._alert_statements = None
            for alert_id in found:
                if self._counts is not None:
                    self._counts[alert_id] = 0
                for matched in self._bells.values():
                    if alert_id in matched:
                        matched.remove(alert_id)
        return found

    def owner(self, user_id: int) -> User | None:
        if user_id == self.user.id:
            return self.user
        if self._owners is None:
            ids = {v.alert.owner_id for v in self.visible_alerts().values()} | {user_id}
            self._owners = users_by_id(self.conn, sorted(ids))
        return self._owners.get(user_id)

    def known_values(self) -> dict[str, list[str]]:
        if self._known_values is None:
            try:
                found = evaluation.known_values(self.conn, self.registry, self.ledger)
            except Exception as error:  # a plugin's SQL: each criterion in a savepoint
                if not sql_faults.is_sql_failure(error, self.engine.dialect):
                    raise
                self._discard(error)
                found = evaluation.known_values(
                    self.conn, self.registry, self.ledger, savepoints=True
                )
            self._known_values = found
        return self._known_values

    # -- customers shown by this request, and what is batched over them ---------------

    def show_customers(self, customer_ids: Iterable[int]) -> None:
        """Register customers the response shows, so their bells etc. are read in one go."""
        self._shown.update(dict.fromkeys(customer_ids))

    def bell_alerts(self, customer_id: int) -> list[int]:
        """Ids of the visible alerts the customer matches (one statement per batch of customers)."""
        return self._batched(
            self._bells,
            customer_id,
            lambda ids: self._evaluated(lambda s, conn: s.matching_alerts(conn, ids)),
        )

    def reminders(self, customer_id: int) -> list[Reminder]:
        return self._batched(
            self._reminders, customer_id, lambda ids: reminders_of(self.conn, ids)
        )

    def items(self, customer_id: int, offset: int, first: int) -> tuple[list[Row[Any]], int]:
        """Up to `first` + 1 items from `offset`, and how many the customer has."""
        cache = self._items.setdefault((offset, first), {})
        return self._batched(
            cache, customer_id, lambda ids: evaluation.item_pages(self.conn, ids, offset, first)
        )

    def _batched(
        self,
        cache: dict[int, T],
        customer_id: int,
        load: Callable[[list[int]], Mapping[int, T]],
    ) -> T:
        if customer_id not in cache:
            ids = [cid for cid in self._shown if cid not in cache]
            if customer_id not in self._shown:
                ids.append(customer_id)
            cache.update(load(ids))
        return cache[customer_id]
