"""Its register_criteria hook raises (it would have contributed `fromRaisingHook`)."""

from graphql_api.criteria import Criterion
from graphql_api.hookspecs import hookimpl


@hookimpl
def register_criteria() -> list[Criterion]:
    raise RuntimeError("the plugin's configuration file is missing")
