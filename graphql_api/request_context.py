"""What one GraphQL request shares, passed to strawberry as `info.context`: the viewer, its
snapshot of the database (snapshot.py), its alerts (viewer_alerts.py), and the loaders
that read a page's bells, reminders, items and changes in one statement each (loaders.py).

Everything is lazy: the read transaction opens on the first read and closes with the
request. A write (`writing`) starts the request's reads afresh, before and after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Row
from sqlalchemy.engine import Connection

from graphql_api import change_queries, customer_queries, evaluation, item_queries, membership_day
from graphql_api.alert_cache import AlertCache
from graphql_api.alert_marks import ViewerMarks
from graphql_api.database import opening_read
from graphql_api.evaluation import ledger_for
from graphql_api.item_queries import ItemPage, ItemsAsked
from graphql_api.keyset import Page
from graphql_api.loaders import AlertKeys, CustomerPage, Loader, Loaders, Shown
from graphql_api.plugins import CriteriaRegistry
from graphql_api.reminders import Reminder, reminders_of
from graphql_api.settings import today as settings_today
from graphql_api.snapshot import Snapshot
from graphql_api.storage import alert_changes
from graphql_api.users import BY_TOKEN, User, hash_token, token_user, users_by_id
from graphql_api.viewer_alerts import ViewerAlerts, recovering

# Built once: the first statement of every request.
_SIGN_IN = membership_day.with_marks(BY_TOKEN)


@dataclass(frozen=True)
class ChangesAsked:
    """A nested connection of changes without a cursor: its first (`forward`) or last `size`
    changes at or after `since`, of `kind` (the count ignores `size` and `forward`)."""

    since: datetime | None
    kind: str | None
    size: int = 0
    forward: bool = True


@dataclass(frozen=True)
class ChangeLoaders:
    """A parent's (an alert's, or a customer's) first pages of changes, and their counts."""

    pages: Loaders[ChangesAsked, Page]
    counts: Loaders[ChangesAsked, int]


class RequestContext:
    """Use it as a context manager: it ends the read transaction."""

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
        self.snapshot = Snapshot(engine, self.today, registry)
        self._start_reading()

    @classmethod
    def signed_in(
        cls, engine: Engine, registry: CriteriaRegistry, token: str, **options: Any
    ) -> RequestContext | None:
        """The context of a request sent with `token`, or None when no user has it (unknown
        or revoked). The token is looked up by the first statement of the request's own
        read transaction, which the request then goes on with."""
        with contextlib.ExitStack() as transaction:
            # The user and the ledger's marks (which the snapshot reads first) in one
            # statement, sent with the transaction's BEGIN: on PostgreSQL one round trip.
            digest = hash_token(token)
            conn, rows = transaction.enter_context(
                opening_read(engine, _SIGN_IN, {"digest": digest})
            )
            user = token_user(rows[0] if rows else None, digest)
            if user is None:
                return None
            context = cls(engine, registry, user, **options)
            context.snapshot.adopt(transaction.pop_all(), conn, membership_day.marks_of(rows))
            return context

    def __enter__(self) -> RequestContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start_reading(self) -> None:
        """Per-request state over the next snapshot: nothing read yet."""
        self.page = CustomerPage()
        self.alerts = ViewerAlerts(
            self.snapshot, self.cache, self.registry, self.user, self.ledger, self.page
        )
        self.reminders: Loader[list[Reminder]] = Loader(
            "reminders", self.page, lambda ids: reminders_of(self.conn, ids)
        )
        self._items: Loaders[ItemsAsked, ItemPage] = Loaders(
            "items", self.page,
            lambda asked, ids: item_queries.customer_item_pages(self.conn, ids, asked),
        )  # fmt: skip
        self.customer_rows: Loader[Row[Any]] = Loader(
            "row", self.page, lambda ids: customer_queries.customers_by_id(self.conn, ids)
        )
        shown_alerts = AlertKeys(lambda: self.alerts.all().keys())
        # The viewer's seenAt, newCount and history of their visible alerts (alert_marks.py).
        self.marks = ViewerMarks(lambda: self.conn, self.user.id, lambda: shown_alerts.ids)
        self.alert_changes = self._change_loaders(alert_changes.c.alert_id, shown_alerts)
        self.customer_changes = self._change_loaders(alert_changes.c.customer_id, self.page)
        self._owners: dict[int, User] | None = None
        self._known_values: dict[str, list[str]] | None = None

    @property
    def conn(self) -> Connection:
        """The request's read transaction (see snapshot.py)."""
        return self.snapshot.conn

    def close(self) -> None:
        self.snapshot.close()

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction; what was read before it is forgotten, before and after."""
        self._start_reading()
        try:
            with self.snapshot.writing() as conn:
                yield conn
        finally:
            self._start_reading()

    def show_customers(self, customer_ids: Iterable[int]) -> None:
        """Prime the loaders with the customers a page shows: their bells, reminders and
        items are then read for all of them at once."""
        self.page.show(customer_ids)

    def items(self, customer_id: int, asked: ItemsAsked) -> ItemPage:
        """The page of the customer's items `asked` for (the same for every customer shown)."""
        return self._items.get(asked, customer_id)

    def change_filters(
        self, since: datetime | None, kind: str | None = None
    ) -> list[ColumnElement[bool]]:
        """The changes of the viewer's visible alerts (no other is ever read), at or after
        `since`, of `kind`."""
        return change_queries.change_filters(self.alerts.all().keys(), since, kind)

    def _change_loaders(self, parent: ColumnElement[int], shown: Shown) -> ChangeLoaders:
        def pages(asked: ChangesAsked, ids: list[int]) -> Mapping[int, Page]:
            filters = self.change_filters(asked.since, asked.kind)
            return change_queries.first_pages(
                self.conn, parent, ids, filters, asked.size, asked.forward
            )

        def counts(asked: ChangesAsked, ids: list[int]) -> Mapping[int, int]:
            filters = self.change_filters(asked.since, asked.kind)
            return change_queries.change_counts(self.conn, parent, ids, filters)

        return ChangeLoaders(
            Loaders("changes", shown, pages, default=lambda: Page([], False, False)),
            Loaders("change count", shown, counts, default=int),
        )

    def owner(self, user_id: int) -> User | None:
        """A user who owns an alert; the owners of every visible alert are read at once."""
        if user_id == self.user.id:
            return self.user
        if self._owners is None:
            ids = {v.alert.owner_id for v in self.alerts.all().values()} | {user_id}
            self._owners = users_by_id(self.conn, sorted(ids))
        return self._owners.get(user_id)

    def known_values(self) -> dict[str, list[str]]:
        """The list criteria's values in the ledger; a plugin whose SQL fails has none."""
        if self._known_values is None:
            self._known_values = recovering(
                self.snapshot,
                lambda conn: evaluation.known_values(conn, self.registry, self.ledger),
                lambda conn: evaluation.known_values(
                    conn, self.registry, self.ledger, savepoints=True
                ),
            )
        return self._known_values
