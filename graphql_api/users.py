"""Users and their bearer tokens. Only a SHA-256 hash of a token is stored.

A token is 256 random bits, so a fast hash is enough (there is nothing to
brute-force); it is compared with `hmac.compare_digest` all the same.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from graphql_api import bell_keys
from graphql_api.errors import NUL_MESSAGE, has_nul, invalid
from graphql_api.storage import users

TOKEN_PREFIX = "dso_"


class Role(enum.Enum):
    ADMIN = "ADMIN"
    USER = "USER"
    VIEWER = "VIEWER"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    collector: str | None = None  # the `collector` of the accounts they follow: "my portfolio"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def add_user(conn: Connection, name: str, role: Role, collector: str | None = None) -> str:
    """Create a user and return their token (the only time it is known)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise invalid("name", "a user name must have 1 to 100 characters")
    token = new_token()
    try:
        with conn.begin_nested():
            conn.execute(
                insert(users).values(
                    name=name,
                    role=role.value,
                    token_hash=hash_token(token),
                    created_at=_now(),
                    collector=_collector(collector),
                )
            )
            bell_keys.user_added(conn, name)
    except IntegrityError:
        raise invalid("name", f"a user named {name!r} already exists") from None
    return token


def reset_token(conn: Connection, name: str) -> str:
    """Give a user a new token; the old one stops working. Also un-revokes the user."""
    token = new_token()
    done = conn.execute(
        update(users)
        .where(users.c.name == name)
        .values(token_hash=hash_token(token), revoked_at=None)
    )
    if done.rowcount == 0:
        raise invalid("name", f"no user named {name!r}")
    return token


def set_collector(conn: Connection, name: str, collector: str | None) -> None:
    """Link a user to the collector code of the accounts they follow; blank unlinks them."""
    done = conn.execute(
        update(users).where(users.c.name == name).values(collector=_collector(collector))
    )
    if done.rowcount == 0:
        raise invalid("name", f"no user named {name!r}")


def _collector(code: str | None) -> str | None:
    """A collector code as customers' `collector` is stored: trimmed, blank is none."""
    code = (code or "").strip()
    if has_nul(code):
        raise invalid("collector", f"the collector {NUL_MESSAGE}")
    if len(code) > 200:
        raise invalid("collector", "a collector code has at most 200 characters")
    return code or None


def revoke_user(conn: Connection, name: str) -> None:
    done = conn.execute(update(users).where(users.c.name == name).values(revoked_at=_now()))
    if done.rowcount == 0:
        raise invalid("name", f"no user named {name!r}")


def list_users(conn: Connection) -> list[tuple[str, str, bool, str | None]]:
    """Each user's name, role, whether revoked, and collector code."""
    rows = conn.execute(
        select(users.c.name, users.c.role, users.c.revoked_at, users.c.collector).order_by(
            users.c.name
        )
    )
    return [(name, role, revoked is not None, code) for name, role, revoked, code in rows]


# Built once: every request signs in with it (with the ledger's marks, request_context.py).
BY_TOKEN = select(
    users.c.id, users.c.name, users.c.role, users.c.collector, users.c.token_hash,
    users.c.revoked_at,
).where(users.c.token_hash == bindparam("digest"))  # fmt: skip


def authenticate(conn: Connection, token: str) -> User | None:
    """The user a token belongs to, or None (unknown or revoked)."""
    digest = hash_token(token)
    return token_user(conn.execute(BY_TOKEN, {"digest": digest}).first(), digest)


def token_user(row: Sequence[Any] | None, digest: str) -> User | None:
    """The user of a row that starts with `BY_TOKEN`'s columns, found by `digest`; None when
    there is no row or the user is revoked."""
    if row is None:
        return None
    user_id, name, role, collector, token_hash, revoked_at = row[:6]
    if revoked_at is not None or not hmac.compare_digest(token_hash, digest):
        return None
    return User(user_id, name, Role(role), collector)


def users_by_id(conn: Connection, ids: list[int]) -> dict[int, User]:
    """Users by id (revoked ones included: they still own their alerts)."""
    rows = conn.execute(
        select(users.c.id, users.c.name, users.c.role, users.c.collector).where(users.c.id.in_(ids))
    )
    return {row.id: User(row.id, row.name, Role(row.role), row.collector) for row in rows}


def _now() -> datetime:
    return datetime.now(UTC)
