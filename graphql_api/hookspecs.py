"""The hooks a dso-alerts plugin implements.

A plugin is a module (or object) with `@hookimpl` functions, found through the
`dso_alerts` entry-point group. The built-in criteria use these hooks too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from graphql_api.criteria import Criterion

hookspec = pluggy.HookspecMarker("dso_alerts")
hookimpl = pluggy.HookimplMarker("dso_alerts")


@hookspec
def register_criteria() -> list[Criterion]:
    """Return the criteria this plugin contributes.

    :return: a list of `graphql_api.criteria.Criterion`; each key becomes a field
        of the GraphQL input `CriteriaInput` and must be unique across plugins.
    """
    raise NotImplementedError
