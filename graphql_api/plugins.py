"""Finding plugins and building the criteria registry from them.

Every plugin, built-in or installed, comes through the `dso_alerts`
entry-point group (or is handed in by a test). A plugin that fails to import
or whose hook raises is recorded, not fatal: the rest keeps working and the
alerts that need its criteria say so (SPEC §3).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

import pluggy

from graphql_api import hookspecs
from graphql_api.criteria import Criterion, KindId
from graphql_api.criterion_kinds import BUILTIN_KINDS
from graphql_api.errors import UserInputError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "dso_alerts"
CORE_DISTRIBUTION = "dso-alerts"  # its entry points (the built-in criteria) load first
GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
# The members of criteria.Kind
KIND_ATTRIBUTES = ("id", "name", "input_type", "parse", "to_json", "predicate", "example")


@dataclass(frozen=True)
class PluginInfo:
    name: str
    module: str
    distribution: str | None
    version: str | None
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    message: str


@dataclass
class CriteriaRegistry:
    """The criteria of every plugin that loaded, by key, and what went wrong."""

    criteria: dict[str, Criterion] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)
    failures: list[PluginFailure] = field(default_factory=list)

    def get(self, key: str) -> Criterion | None:
        return self.criteria.get(key)

    def owners(self) -> dict[str, str]:
        """The name of the plugin that contributes each criterion, by key."""
        return {key: plugin.name for plugin in self.plugins for key in plugin.criteria}


def plugin_manager(
    extra_plugins: Iterable[object] = (), *, load_entry_points: bool = True
) -> tuple[pluggy.PluginManager, list[PluginInfo], list[PluginFailure]]:
    """Register entry-point plugins and `extra_plugins` through one path."""
    pm = pluggy.PluginManager("dso_alerts")
    pm.add_hookspecs(hookspecs)
    infos: list[PluginInfo] = []
    failures: list[PluginFailure] = []
    candidates: list[tuple[str, object, str | None, str | None]] = []
    if load_entry_points:
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=_load_order):
            dist = ep.dist.name if ep.dist else None
            version = ep.dist.version if ep.dist else None
            try:
                candidates.append((ep.name, ep.load(), dist, version))
            except Exception as error:  # a broken plugin must not take the API down
                failures.append(PluginFailure(ep.name, f"failed to load: {error!r}"))
    for plugin in extra_plugins:
        name = getattr(plugin, "__name__", type(plugin).__name__)
        candidates.append((name, plugin, None, None))
    for name, plugin, dist, version in candidates:
        if pm.is_registered(plugin) or pm.has_plugin(name):
            continue
        try:
            pm.register(plugin, name=name)
        except Exception as error:
            failures.append(PluginFailure(name, f"failed to register: {error}"))
            continue
        unknown = _unknown_hooks(pm, plugin)
        if unknown:  # a misspelt hook is this plugin's failure, not everyone's
            pm.unregister(plugin)
            message = f"implements unknown hook(s): {', '.join(unknown)}"
            failures.append(PluginFailure(name, message))
            continue
        module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
        infos.append(PluginInfo(name, module, dist, version))
    pm.check_pending()
    return pm, infos, failures


def _load_order(ep: EntryPoint) -> tuple[bool, str]:
    """The built-ins first, so on a key clash theirs is kept; then by entry-point name."""
    return (ep.dist is None or ep.dist.name != CORE_DISTRIBUTION, ep.name)


def _unknown_hooks(pm: pluggy.PluginManager, plugin: object) -> list[str]:
    """`plugin`'s hook implementations that match no hookspec (what check_pending rejects)."""
    return sorted(
        caller.name
        for caller in pm.get_hookcallers(plugin) or []
        if not caller.has_spec()
        and any(i.plugin is plugin and not i.optionalhook for i in caller.get_hookimpls())
    )


def load_registry(
    extra_plugins: Iterable[object] = (), *, load_entry_points: bool = True
) -> CriteriaRegistry:
    """The registry the application runs with; plugins' problems are logged, not raised."""
    pm, infos, failures = plugin_manager(extra_plugins, load_entry_points=load_entry_points)
    registry = CriteriaRegistry(failures=failures)
    owner: dict[str, str] = {}
    for info in infos:
        plugin = pm.get_plugin(info.name)
        impls = [i for i in pm.hook.register_criteria.get_hookimpls() if i.plugin is plugin]
        keys: list[str] = []
        for impl in impls:
            try:
                contributed = list(impl.function())
            except Exception as error:
                message = f"register_criteria raised {error!r}"
                registry.failures.append(PluginFailure(info.name, message))
                continue
            for criterion in contributed:
                problem = _check_criterion(criterion, owner, info.name)
                if problem:
                    registry.failures.append(PluginFailure(info.name, problem))
                    continue
                owner[criterion.key] = info.name
                registry.criteria[criterion.key] = criterion
                keys.append(criterion.key)
        registry.plugins.append(
            PluginInfo(info.name, info.module, info.distribution, info.version, tuple(keys))
        )
    for failure in registry.failures:
        log.warning("plugin %s: %s", failure.plugin, failure.message)
    return registry


def _check_criterion(criterion: object, owner: dict[str, str], plugin: str) -> str | None:
    if not isinstance(criterion, Criterion):
        return f"register_criteria returned {criterion!r}, which is not a Criterion"
    missing = [a for a in KIND_ATTRIBUTES if not hasattr(criterion.kind, a)]
    if missing:
        message = f"criterion {criterion.key!r}: its kind has no {', '.join(missing)}"
        if hasattr(criterion.kind, "validate"):  # written for the protocol before parse/to_json
            message += " (validate is now parse, into a typed value, and to_json: see the docs)"
        if hasattr(criterion.kind, "describe_input"):  # written before examples were JSON
            message += " (describe_input is now example(values), a valid input as JSON)"
        return message
    kind_id = criterion.kind.id
    if not isinstance(kind_id, KindId):
        return f"criterion {criterion.key!r}: its kind's id is {kind_id!r}, not a KindId"
    builtin = BUILTIN_KINDS.get(kind_id)
    if builtin is not None and criterion.kind.input_type is not builtin.input_type:
        # Clients draw the input of a built-in kind from its id alone.
        return (
            f"criterion {criterion.key!r}: its kind says it is {kind_id.name} but its input "
            f"type is not {getattr(builtin.input_type, '__name__', builtin.input_type)}; "
            "a kind of one's own is KindId.CUSTOM"
        )
    if not GRAPHQL_NAME.match(criterion.key):
        return f"criterion key {criterion.key!r} is not a valid GraphQL name"
    problem = _check_example(criterion)
    if problem:
        return problem
    if criterion.key in owner:
        return (
            f"criterion key {criterion.key!r} is contributed by both {owner[criterion.key]} "
            f"and {plugin}: {owner[criterion.key]}'s is kept, {plugin}'s is ignored"
        )
    return None


def _check_example(criterion: Criterion) -> str | None:
    """A form sends the registry's example back as it is: it must be JSON and a valid input
    (checked with the fixed values, if any; values from the ledger are texts like any other)."""
    name = f"criterion {criterion.key!r}"
    if criterion.unit is not None and not isinstance(criterion.unit, str):
        return f"{name}: its unit is {criterion.unit!r}, not a text"
    try:
        example = criterion.example_input(criterion.listed_values({}) or ())
    except Exception as error:
        return f"{name}: its kind's example raised {error!r}"
    try:
        json.dumps(example, allow_nan=False)
    except (TypeError, ValueError):
        return f"{name}: its example {example!r} is not JSON"
    try:
        criterion.parse(example)
    except UserInputError as error:
        return f"{name}: its example {example!r} is not a valid input: {error}"
    except Exception:  # its parse's own fault: the API reports it when the criterion is used
        pass
    return None
