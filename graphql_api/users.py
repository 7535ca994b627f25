"""Users and their bearer tokens. Only a SHA-256 hash of a token is stored.

A token is 256 random bits, so a fast hash is enough (there is nothing to
brute-force); it is compared with `hmac.compare_digest` all the same.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from graphql_api.errors import invalid
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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def add_user(conn: Connection, name: str, role: Role) -> str:
    """Create a user and return their token (the only time it is known)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise invalid("name", "a user name must have 1 to 100 characters")
    token = new_token()
    try:
        with conn.begin_nested():
            conn.execute(
                insert(users).values(
                    name=name, role=role.value, token_hash=hash_token(token), created_at=_now()
                )
            )
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


def revoke_user(conn: Connection, name: str) -> None:
    done = conn.execute(update(users).where(users.c.name == name).values(revoked_at=_now()))
    if done.rowcount == 0:
        raise invalid("name", f"no user named {name!r}")


def list_users(conn: Connection) -> list[tuple[str, str, bool]]:
    rows = conn.execute(
        select(users.c.name, users.c.role, users.c.revoked_at).order_by(users.c.name)
    )
    return [(name, role, revoked is not None) for name, role, revoked in rows]


def authenticate(conn: Connection, token: str) -> User | None:
    """The user a token belongs to, or None (unknown or revoked)."""
    digest = hash_token(token)
    row = conn.execute(
        select(
            users.c.id, users.c.name, users.c.role, users.c.token_hash, users.c.revoked_at
        ).where(users.c.token_hash == digest)
    ).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return User(row.id, row.name, Role(row.role))


def users_by_id(conn: Connection, ids: list[int]) -> dict[int, User]:
    """Users by id (revoked ones included: they still own their alerts)."""
    rows = conn.execute(select(users.c.id, users.c.name, users.c.role).where(users.c.id.in_(ids)))
    return {row.id: User(row.id, row.name, Role(row.role)) for row in rows}


def _now() -> datetime:
    return datetime.now(UTC)
