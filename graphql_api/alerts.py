"""Alerts: who sees them, who may change them, and how they are stored (SPEC §4).

An alert the viewer may not see is answered exactly like an id that does not
exist, whatever is asked of it. Alerts are named by their API id (ids.py), whose key is
the alert's random `public_id`; the row id stays inside.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from graphql_api import bell_keys, ids, membership, membership_day
from graphql_api.criteria import criteria_json, parse_criteria
from graphql_api.errors import NUL_MESSAGE, ErrorCode, Problem, UserInputError, has_nul
from graphql_api.plugins import CriteriaRegistry
from graphql_api.settings import today as settings_today
from graphql_api.storage import alerts, users
from graphql_api.users import Role, User


class AlertType(enum.Enum):
    COLLECTION = "COLLECTION"
    RISK = "RISK"
    NONE = "NONE"


class Level(enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return list(Level).index(self)

    @property
    def color(self) -> str:
        return LEVEL_COLORS[self]


# Green, amber, orange, red: the traffic-light order credit teams read at a glance.
LEVEL_COLORS = {
    Level.LOW: "#2E7D32",
    Level.MEDIUM: "#F9A825",
    Level.HIGH: "#EF6C00",
    Level.CRITICAL: "#C62828",
}


class Visibility(enum.Enum):
    PRIVATE = "PRIVATE"
    PUBLIC = "PUBLIC"


class AlertTab(enum.Enum):
    COLLECTION = "COLLECTION"
    RISK = "RISK"

    @property
    def types(self) -> tuple[AlertType, AlertType]:
        return (AlertType[self.value], AlertType.NONE)


COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_NAME = 200


@dataclass(frozen=True)
class AlertInput:
    name: str
    criteria: Mapping[str, Any]  # by key: GraphQL input values or JSON (see parse_criteria)
    type: AlertType = AlertType.COLLECTION
    level: Level = Level.MEDIUM
    color: str | None = None
    visibility: Visibility = Visibility.PRIVATE


@dataclass(frozen=True)
class Alert:
    id: int  # the row's, never shown: the API names the alert by `public_id`
    public_id: str
    name: str
    type: AlertType
    level: Level
    own_color: str | None
    visibility: Visibility
    owner_id: int
    owner_name: str
    criteria: dict[str, Any] = field(hash=False)
    version: int

    @property
    def color(self) -> str:
        return self.own_color or self.level.color

    @property
    def locked(self) -> bool:
        return self.visibility is Visibility.PRIVATE


def can_edit(user: User, alert: Alert) -> bool:
    if user.role is Role.VIEWER:
        return False
    return alert.owner_id == user.id or (
        user.role is Role.ADMIN and alert.visibility is Visibility.PUBLIC
    )


def visible_to(user: User) -> ColumnElement[bool]:
    return or_(alerts.c.visibility == Visibility.PUBLIC.value, alerts.c.owner_id == user.id)


def list_alerts(conn: Connection, user: User, tab: AlertTab | None = None) -> list[Alert]:
    """The alerts the user can see, highest level first, then by name."""
    query = _select().where(visible_to(user))
    if tab is not None:
        query = query.where(alerts.c.type.in_([t.value for t in tab.types]))
    found = [_alert(row) for row in conn.execute(query)]
    return sorted(found, key=lambda a: (-a.level.rank, a.name.casefold(), a.id))


def get_alert(conn: Connection, user: User, alert_id: str) -> Alert | None:
    """The alert an API id names, or None when it names none *or* one the user may not see."""
    key = ids.alert_key(alert_id)
    return None if key is None else _visible(conn, user, alerts.c.public_id == key)


def _visible(conn: Connection, user: User, which: ColumnElement[bool]) -> Alert | None:
    row = conn.execute(_select().where(which, visible_to(user))).first()
    return None if row is None else _alert(row)


def create_alert(
    conn: Connection,
    registry: CriteriaRegistry,
    user: User,
    data: AlertInput,
    today: date | None = None,
) -> Alert:
    if user.role is Role.VIEWER:
        raise _error(ErrorCode.FORBIDDEN, None, "viewers cannot create alerts")
    values = _checked(registry, data)
    today = today or settings_today()
    membership_day.catch_up(conn, registry, today)
    now = datetime.now(UTC)
    row = dict(values, public_id=ids.new_alert_key(), owner_id=user.id, version=1,
               created_at=now, updated_at=now)  # fmt: skip
    new_id = conn.execute(insert(alerts).values(row).returning(alerts.c.id)).scalar_one()
    membership.record(conn, registry, today, membership.Cause.ALERT_SAVED, alert_ids=[new_id])
    created = _visible(conn, user, alerts.c.id == new_id)
    assert created is not None
    return created


def update_alert(
    conn: Connection,
    registry: CriteriaRegistry,
    user: User,
    alert_id: str,
    data: AlertInput,
    expected_version: int | None = None,
    today: date | None = None,
) -> Alert:
    current = _editable(conn, user, alert_id)
    if data.visibility is not current.visibility and current.owner_id != user.id:
        raise _error(
            ErrorCode.FORBIDDEN, "visibility", "only the alert's owner can change its visibility"
        )
    values = _checked(registry, data)
    # New criteria change membership; a name, level, colour, type or visibility does not.
    resaved = values["criteria"] != current.criteria
    today = today or settings_today()
    if resaved:
        membership_day.catch_up(conn, registry, today)
    query = update(alerts).where(alerts.c.id == current.id)
    if expected_version is not None:
        query = query.where(alerts.c.version == expected_version)
    done = conn.execute(
        query.values(**values, version=alerts.c.version + 1, updated_at=datetime.now(UTC))
    )
    if done.rowcount == 0:
        raise Conflict(current, expected_version)
    bell_keys.alert_edited(conn, current, values)  # a level, type or visibility moves keys
    if resaved:
        saved = membership.Cause.ALERT_SAVED
        membership.record(conn, registry, today, saved, alert_ids=[current.id])
    updated = _visible(conn, user, alerts.c.id == current.id)
    assert updated is not None
    return updated


class Conflict(UserInputError):
    """The alert is not at the version the change was made from: nothing changed."""

    def __init__(self, current: Alert, expected_version: int | None) -> None:
        message = (
            f"the alert was changed meanwhile: it is at version {current.version}, not "
            f"{expected_version}; reload it and apply your change again"
        )
        super().__init__([Problem(ErrorCode.CONFLICT, "expectedVersion", message)])
        self.current = current


def delete_alert(conn: Connection, user: User, alert_id: str) -> Alert:
    """Delete the alert; returns it as it was."""
    current = _editable(conn, user, alert_id)
    membership.forget_alert(conn, current.id)  # its matches and history, recording nothing
    conn.execute(delete(alerts).where(alerts.c.id == current.id))
    return current


def not_found(alert_id: str) -> UserInputError:
    return _error(ErrorCode.NOT_FOUND, "id", f"no alert with id {str(alert_id)[:40]!r}")


def _editable(conn: Connection, user: User, alert_id: str) -> Alert:
    current = get_alert(conn, user, alert_id)
    if current is None:
        raise not_found(alert_id)
    if not can_edit(user, current):
        reason = (
            "viewers cannot change alerts"
            if user.role is Role.VIEWER
            else "only the alert's owner, or an admin for a public alert, can change it"
        )
        raise _error(ErrorCode.FORBIDDEN, "id", reason)
    return current


def _checked(registry: CriteriaRegistry, data: AlertInput) -> dict[str, Any]:
    problems: list[Problem] = []
    name = (data.name or "").strip()
    if not name:
        problems.append(Problem(ErrorCode.VALIDATION, "name", "the alert needs a name"))
    elif has_nul(name):
        problems.append(Problem(ErrorCode.VALIDATION, "name", f"the name {NUL_MESSAGE}"))
    elif len(name) > MAX_NAME:
        problems.append(
            Problem(ErrorCode.VALIDATION, "name", f"the name is longer than {MAX_NAME} characters")
        )
    color = data.color.strip() if data.color else None
    if color is not None and not COLOR.match(color):
        problems.append(
            Problem(
                ErrorCode.VALIDATION, "color", f"color must look like #RRGGBB, not {color[:20]!r}"
            )
        )
    criteria: dict[str, Any] = {}
    try:
        criteria = criteria_json(parse_criteria(registry, data.criteria))
    except UserInputError as error:
        problems.extend(error.problems)
    if problems:
        raise UserInputError(problems)
    return {
        "name": name,
        "type": data.type.value,
        "level": data.level.value,
        "color": color.upper() if color else None,
        "visibility": data.visibility.value,
        "criteria": criteria,
    }


def _select() -> Any:
    return select(alerts, users.c.name.label("owner_name")).join(
        users, users.c.id == alerts.c.owner_id
    )


def _alert(row: Any) -> Alert:
    return Alert(
        id=row.id,
        public_id=row.public_id,
        name=row.name,
        type=AlertType(row.type),
        level=Level(row.level),
        own_color=row.color,
        visibility=Visibility(row.visibility),
        owner_id=row.owner_id,
        owner_name=row.owner_name,
        criteria=dict(row.criteria),
        version=row.version,
    )


def _error(code: ErrorCode, field_name: str | None, message: str) -> UserInputError:
    return UserInputError([Problem(code, field_name, message)])
