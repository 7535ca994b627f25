"""Alembic environment: migrations run on the connection `database.migrate` hands over."""

from alembic import context

from graphql_api.storage import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
context.run_migrations()
