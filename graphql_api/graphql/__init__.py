"""The GraphQL layer: one module per domain (users, criteria, alerts, customers, reminders),
each with its types, queries and mutations; `schema.py` assembles them.

Resolvers stay thin: they parse their arguments, ask the request context (or a domain
module) and build plain strawberry objects from what comes back.
"""
