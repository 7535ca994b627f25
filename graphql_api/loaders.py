"""Per-request loaders: the values of one relation (a customer's bell, reminders, items)
for every customer a page shows, loaded by one statement the first time any is asked for.

A page primes the loaders with the customers it shows (`CustomerPage`). Asking for a
customer that no page primed is a bug — it would cost a statement per customer — so it
raises `NotPrimed` instead of quietly loading one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class NotPrimed(RuntimeError):
    """A resolver asked a loader for a key that no page primed."""


class CustomerPage:
    """The customers the response shows so far, in order: what every loader loads for."""

    def __init__(self) -> None:
        self.ids: dict[int, None] = {}

    def show(self, customer_ids: Iterable[int]) -> None:
        self.ids.update(dict.fromkeys(customer_ids))


class Loader(Generic[V]):
    """One relation's values for the customers of a page, loaded together on first use."""

    def __init__(
        self, name: str, page: CustomerPage, load: Callable[[list[int]], Mapping[int, V]]
    ) -> None:
        self.name = name
        self._page = page
        self._load = load
        self.loaded: dict[int, V] = {}

    def get(self, customer_id: int) -> V:
        if customer_id not in self.loaded:
            if customer_id not in self._page.ids:
                raise NotPrimed(
                    f"the {self.name} of customer {customer_id} was asked for, but no page "
                    "showed that customer (call RequestContext.show_customers first)"
                )
            pending = [cid for cid in self._page.ids if cid not in self.loaded]
            self.loaded.update(self._load(pending))
        return self.loaded[customer_id]
