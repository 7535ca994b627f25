"""What a plugin's tests need, shipped with dso-alerts: a throwaway PostgreSQL server
(`postgres_server`), a small ledger builder (`ledger`) and the two questions a criterion's
test asks (`probe`). `graphql_api.pytest_plugin` turns them into pytest fixtures."""
