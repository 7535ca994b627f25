"""Users: the `User` type and `me`."""

from __future__ import annotations

import strawberry

from graphql_api.graphql.context import Info
from graphql_api.users import Role
from graphql_api.users import User as UserRow

strawberry.enum(
    Role,
    description="ADMIN (may also edit public alerts), USER, or VIEWER (reads, changes nothing).",
)


@strawberry.type(description="A user of the API.")
class User:
    id: strawberry.ID = strawberry.field(description="The user's id.")
    name: str = strawberry.field(description="The user's name.")
    role: Role = strawberry.field(description="What the user may do.")

    @staticmethod
    def of(user: UserRow) -> User:
        return User(id=strawberry.ID(str(user.id)), name=user.name, role=user.role)


@strawberry.type
class UserQueries:
    @strawberry.field(description="The user the token belongs to.")
    def me(self, info: Info) -> User | None:
        return User.of(info.context.user)
