"""The `dso-alerts` command (SPEC §7). Each command migrates the database it needs first.

A database that cannot be reached or whose schema is newer than this version, and a bad
setting, are met with one line on stderr and exit status 1, never a traceback
(database_faults.py); the command has changed nothing (its transaction is rolled back).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy import Engine

from graphql_api.database import create_db_engine, migrate, write_transaction
from graphql_api.database_faults import fault
from graphql_api.errors import UserInputError
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.settings import PREFIX, Settings, today
from graphql_api.users import Role, add_user, list_users, reset_token, revoke_user, set_collector
from graphql_api.web_app import sign_in_link


def open_database() -> Engine:
    engine = create_db_engine(Settings().resolved_database_url())
    migrate(engine)
    return engine


class Commands(click.Group):
    """The commands, each of which says in one line why it cannot use the database."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ValidationError as error:
            problem = error.errors()[0]
            setting = PREFIX + "_".join(str(part) for part in problem["loc"]).upper()
            _fail(f"{setting} is not valid: {problem['msg']}")
        except Exception as error:
            found = fault(error, Settings().resolved_database_url())
            if found is None:
                raise
            _fail(str(found))
        return None


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group(cls=Commands)
def main() -> None:
    """dso-alerts: alerts over your customer ledger, as a GraphQL API."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Migrations on every start would otherwise bury the output people read (tokens, figures).
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(min=1),
    help="Server processes answering on one port, over one database.",
)  # fmt: skip
def serve(host: str, port: int, workers: int) -> None:
    """Serve GraphQL and GraphiQL at /graphql."""
    import uvicorn

    from graphql_api.app import create_app
    from graphql_api.membership_day import catch_up

    # Once, before any worker answers: the migrations (under their lock, database.migrate)
    # and a pending day (under the ledger lock, membership_day.py). Several `serve` started
    # together queue on those locks; the first applies, the others find it applied.
    engine = open_database()
    registry = load_registry()
    with write_transaction(engine) as conn:
        catch_up(conn, registry, today())
    click.echo(f"Web app: http://{host}:{port}/  GraphiQL: http://{host}:{port}/graphql", err=True)
    if workers == 1:
        uvicorn.run(create_app(engine, registry), host=host, port=port, log_level="info")
        return
    engine.dispose()  # each worker process builds its application and opens its connections
    uvicorn.run(
        "graphql_api.app:app_from_environment", factory=True,
        host=host, port=port, workers=workers, log_level="info",
    )  # fmt: skip


@main.command()
def demo() -> None:
    """Load a demo ledger (when empty), demo users and the seed alerts."""
    from graphql_api.demo import run_demo

    result = run_demo(open_database(), load_registry(), today())
    click.echo(
        "Demo ledger loaded." if result.ledger_loaded else "The ledger is not empty: kept as is."
    )
    click.echo(f"{result.alerts_created} demo alert(s) created.")
    for name in result.existing_users:
        click.echo(f"user {name}: exists already (new token: dso-alerts users reset-token {name})")
    for name, token in result.tokens.items():
        click.echo(f"user {name}: Authorization: Bearer {token}")
        click.echo(f"user {name}: sign in: {sign_in_link(token)}")


@main.command(name="import")
@click.option("--customers", "customers_file", type=click.Path(path_type=Path))
@click.option("--items", "items_file", type=click.Path(path_type=Path))
@click.option("--reminders", "reminders_file", type=click.Path(path_type=Path))
@click.option(
    "--upsert-items",
    is_flag=True,
    help="Upsert items by (account, document) instead of replacing the ledger.",
)
@click.option("--max-problems", default=50, show_default=True, help="How many problems to list.")
def import_command(
    customers_file: Path | None,
    items_file: Path | None,
    reminders_file: Path | None,
    upsert_items: bool,
    max_problems: int,
) -> None:
    """Load CSV exports in one transaction: all or nothing."""
    from graphql_api.ledger_import import ImportFailed, import_ledger

    if not (customers_file or items_file or reminders_file):
        raise click.UsageError("give --customers, --items and/or --reminders")
    try:
        summary = import_ledger(
            open_database(),
            today=today(),
            customers_file=customers_file,
            items_file=items_file,
            reminders_file=reminders_file,
            upsert_items=upsert_items,
            show_progress=True,
        )
    except ImportFailed as failure:
        for problem in failure.problems[:max_problems]:
            click.echo(str(problem), err=True)
        if failure.total > max_problems:
            click.echo(f"... and {failure.total - max_problems} more problem(s)", err=True)
        click.echo(f"Import rejected: {failure.total} problem(s); nothing was changed.", err=True)
        sys.exit(1)
    click.echo(
        f"Imported: {summary.customers_created} customer(s) created, "
        f"{summary.customers_updated} updated, {summary.items_loaded} item(s), "
        f"{summary.reminders_added} reminder(s) added ({summary.reminders_skipped} already there)."
    )


@main.command()
def check() -> None:
    """Evaluate every alert from scratch and compare with the stored membership (exit 1 and
    the differences on any mismatch; repairs nothing). A pending day is applied first."""
    from graphql_api.membership_check import check_membership
    from graphql_api.membership_day import catch_up

    registry, day = load_registry(), today()
    with write_transaction(open_database()) as conn:
        catch_up(conn, registry, day)
        report = check_membership(conn, registry, day)
    for line in report.not_evaluated:
        click.echo(f"not evaluated (membership kept as it was): {line}")
    for line in report.differences:
        click.echo(line)
    if not report.ok:
        click.echo(f"Membership differs: {len(report.differences)} difference(s).", err=True)
        sys.exit(1)
    click.echo(
        f"Membership is exact: {report.alerts_checked} alert(s), "
        f"{report.matches_checked} match(es), for {day}."
    )


@main.command()
def refresh() -> None:
    """Apply a pending day (figures and membership), as the first request of the day would."""
    from graphql_api.membership_day import catch_up

    day = today()
    with write_transaction(open_database()) as conn:
        done = catch_up(conn, load_registry(), day)
    if done.new_day is None and done.saved is None:
        click.echo(f"Nothing pending: {day} is applied.")
        return
    for what, recorded in (("day", done.new_day), ("saved alerts", done.saved)):
        if recorded is not None:
            click.echo(
                f"Applied {what} for {day}: {recorded.entered} entered, {recorded.left} left, "
                f"{len(recorded.frozen)} alert(s) that cannot be evaluated kept as they were."
            )
    if done.pruned:
        click.echo(f"Pruned {done.pruned} change(s) older than the history kept.")


@main.group()
def users() -> None:
    """Manage users and their tokens."""


@users.command(name="add")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role], case_sensitive=False)
)
@click.option("--collector", help="The collector code of the accounts the user follows.")
def users_add(name: str, role: str, collector: str | None) -> None:
    """Create a user and print its token, once, on the last line."""
    with _user_errors(), write_transaction(open_database()) as conn:
        token = add_user(conn, name, Role(role.upper()), collector)
    click.echo(f"User {name} created with role {role.upper()}. Its token (shown once):")
    click.echo(f"Sign in to the web app: {sign_in_link(token)}")
    click.echo(token)


@users.command(name="list")
def users_list() -> None:
    """List users, their roles and whether they are revoked."""
    with open_database().connect() as conn:
        for name, role, revoked, collector in list_users(conn):
            state = "revoked" if revoked else "active"
            click.echo(f"{name}\t{role}\t{state}\t{collector or '-'}")


@users.command(name="set")
@click.argument("name")
@click.option(
    "--collector", required=True,
    help='The collector code of the accounts the user follows ("" to unlink).',
)  # fmt: skip
def users_set(name: str, collector: str) -> None:
    """Link a user to the collector code of the accounts they follow ("my portfolio")."""
    with _user_errors(), write_transaction(open_database()) as conn:
        set_collector(conn, name, collector)
    code = collector.strip()
    click.echo(
        f"User {name} follows collector {code}." if code else f"User {name} follows no collector."
    )


@users.command(name="revoke")
@click.argument("name")
def users_revoke(name: str) -> None:
    """Revoke a user's token: its next request gets HTTP 401."""
    with _user_errors(), write_transaction(open_database()) as conn:
        revoke_user(conn, name)
    click.echo(f"User {name} revoked.")


@users.command(name="reset-token")
@click.argument("name")
def users_reset_token(name: str) -> None:
    """Give a user a new token (the old one stops working); printed on the last line."""
    with _user_errors(), write_transaction(open_database()) as conn:
        token = reset_token(conn, name)
    click.echo(f"New token for {name} (shown once):")
    click.echo(f"Sign in to the web app: {sign_in_link(token)}")
    click.echo(token)


@main.group(invoke_without_command=True)
@click.pass_context
def plugins(ctx: click.Context) -> None:
    """List installed plugins, the criteria each contributes, and plugins that failed
    (`plugins new NAME` writes a new plugin instead)."""
    if ctx.invoked_subcommand is not None:
        return
    registry = load_registry()
    for plugin in registry.plugins:
        origin = (
            f"{plugin.distribution} {plugin.version}"
            if plugin.distribution
            else "registered in code"
        )
        click.echo(f"{plugin.name}  ({plugin.module}; {origin})")
        for key in plugin.criteria:
            criterion = registry.criteria[key]
            scope, kind = criterion.scope.value, criterion.kind.name
            click.echo(f"    {key:<26} {scope:<8} {kind:<15} {criterion.label}")
    for failure in registry.failures:
        click.echo(f"FAILED {failure.plugin}: {failure.message}")


@plugins.command("new")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    help="Where to write it (default: here).",
)
def new_plugin(name: str, directory: Path) -> None:
    """Write dso-alerts-NAME/: a plugin package with one criterion and its tests (both
    databases), ready for `pip install -e`."""
    from graphql_api.plugin_template import write_plugin

    try:
        root = write_plugin(name, directory)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"Wrote {root}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON for tooling.")
def criteria(as_json: bool) -> None:
    """Print the criteria registry."""
    registry = load_registry()
    entries = registry_entries(registry)
    if as_json:
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    for entry in entries:
        click.echo(f"{entry['key']:<26} {entry['scope']:<8} {entry['kind']:<15} {entry['label']}")


def registry_entries(registry: CriteriaRegistry) -> list[dict[str, Any]]:
    owners = registry.owners()
    return [
        {
            "key": key,
            "label": criterion.label,
            "description": criterion.description,
            "scope": criterion.scope.value,
            "kind": criterion.kind.name,
            "example": criterion.example_input(criterion.listed_values({}) or ()),
            "plugin": owners.get(key, ""),
        }
        for key, criterion in sorted(registry.criteria.items())
    ]


@main.command()
def schema() -> None:
    """Print the GraphQL schema (SDL) served with the installed plugins."""
    from graphql_api.graphql.schema import build_schema

    click.echo(build_schema(load_registry()).as_str())


class _user_errors:
    """Print a user error and exit 1 instead of a traceback."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> bool:
        if isinstance(error, UserInputError):
            click.echo(f"error: {error}", err=True)
            sys.exit(1)
        return False
