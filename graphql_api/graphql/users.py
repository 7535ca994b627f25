"""Users: the `User` type and `me`."""

from __future__ import annotations

import strawberry

from graphql_api import ids
from graphql_api.graphql.context import Info
from graphql_api.graphql.node import Node
from graphql_api.users import Role
from graphql_api.users import User as UserRow

strawberry.enum(
    Role,
    description="ADMIN (may also edit public alerts), USER, or VIEWER (reads, changes nothing).",
)


@strawberry.type(description="A user of the API; every signed-in user sees every user.")
class User(Node):
    name: str = strawberry.field(description="The user's name.")
    role: Role = strawberry.field(description="What the user may do.")
    collector: str | None = strawberry.field(
        description="The collector code of the accounts the user follows (customers' "
        "`collector`): a front end's \"my portfolio\" is `customers(where: {collector: "
        "{values: [collector]}})`. Null when not linked."
    )

    @staticmethod
    def of(user: UserRow) -> User:
        return User(
            id=strawberry.ID(ids.user_id(user.id)), name=user.name, role=user.role,
            collector=user.collector,
        )  # fmt: skip


@strawberry.type
class UserQueries:
    @strawberry.field(description="The user the token belongs to.")
    def me(self, info: Info) -> User | None:
        return User.of(info.context.user)
