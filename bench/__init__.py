"""`python -m bench --size {small,10k,default}`: the speed of dso-alerts against measured floors.

For SQLite and then a throwaway PostgreSQL, the bench generates (and caches) a
deterministic ledger, times `dso-alerts import`, creates a bench user and 100
alerts, then times the GraphQL API through HTTP against `dso-alerts serve`
and, in the same run, the same results computed by one hand-written SQL
statement (the floor) and, for the counts, the naive one-query-per-alert way.
It prints a table and writes bench-results/<db>-<size>.json. It asserts
nothing about time; it does check that the API and the floors agree.
"""
