"""The suite's throwaway PostgreSQL is the one shipped for plugins' tests (one
implementation): `graphql_api.testing.postgres_server`. Kept for the benchmarks' import."""

from graphql_api.testing.postgres_server import throwaway_postgres

__all__ = ["throwaway_postgres"]
