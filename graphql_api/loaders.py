"""Per-request loaders: the values of one relation (a customer's bell, reminders, items; an
alert's or a customer's first page of changes) for every parent a response shows, loaded by
one statement the first time any is asked for.

A page primes the loaders with the customers it shows (`CustomerPage`); an alert's
relations load for all the viewer's alerts (`AlertKeys`). Asking for a customer that no
page primed is a bug — it would cost a statement per customer — so it raises `NotPrimed`
instead of quietly loading one. `Loaders` keeps one loader per set of arguments asked
(e.g. the first 10 items by due date): each loads for every parent shown.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import Generic, Protocol, TypeVar

A = TypeVar("A", bound=Hashable)
V = TypeVar("V")


class NotPrimed(RuntimeError):
    """A resolver asked a loader for a key that no page primed."""


class Shown(Protocol):
    """The parents a response shows so far, in order: what a loader loads for."""

    noun: str

    @property
    def ids(self) -> Collection[int]: ...


class CustomerPage:
    """The customers the response shows so far, in order."""

    noun = "customer"

    def __init__(self) -> None:
        self.ids: dict[int, None] = {}

    def show(self, customer_ids: Iterable[int]) -> None:
        self.ids.update(dict.fromkeys(customer_ids))


class AlertKeys:
    """The viewer's alerts, all of them shown (an alert's relation is read for all at once)."""

    noun = "alert"

    def __init__(self, alert_ids: Callable[[], Collection[int]]) -> None:
        self._alert_ids = alert_ids

    @property
    def ids(self) -> Collection[int]:
        return self._alert_ids()


class Loader(Generic[V]):
    """One relation's values for the parents shown, loaded together on first use; `default`
    for a parent the load gives nothing for."""

    def __init__(
        self,
        name: str,
        page: Shown,
        load: Callable[[list[int]], Mapping[int, V]],
        default: Callable[[], V] | None = None,
    ) -> None:
        self.name = name
        self._page = page
        self._load = load
        self._default = default
        self.loaded: dict[int, V] = {}

    def get(self, key: int) -> V:
        if key not in self.loaded:
            if key not in self._page.ids:
                noun = self._page.noun
                raise NotPrimed(
                    f"the {self.name} of {noun} {key} was asked for, but no page showed that "
                    f"{noun} (call RequestContext.show_customers first)"
                )
            pending = [k for k in self._page.ids if k not in self.loaded]
            found = self._load(pending)
            if self._default is not None:
                found = {k: found[k] if k in found else self._default() for k in pending}
            self.loaded.update(found)
        return self.loaded[key]


class Loaders(Generic[A, V]):
    """A loader per set of arguments `A` asked for (the same for every parent shown)."""

    def __init__(
        self,
        name: str,
        page: Shown,
        load: Callable[[A, list[int]], Mapping[int, V]],
        default: Callable[[], V] | None = None,
    ) -> None:
        self.name = name
        self._page = page
        self._load = load
        self._default = default
        self._loaders: dict[A, Loader[V]] = {}

    def get(self, asked: A, key: int) -> V:
        loader = self._loaders.get(asked)
        if loader is None:
            loader = self._loaders[asked] = Loader(
                self.name, self._page, lambda keys: self._load(asked, keys), self._default
            )
        return loader.get(key)
