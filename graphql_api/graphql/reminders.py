"""Reminders: the `Reminder` type, `logReminder` and `deleteReminder`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api import customer_queries, ids
from graphql_api import reminders as domain
from graphql_api.errors import UserInputError
from graphql_api.graphql.context import Info
from graphql_api.graphql.errors import UserError, payload_errors, user_errors
from graphql_api.graphql.node import Node
from graphql_api.reminders import ReminderChannel

if TYPE_CHECKING:
    from graphql_api.graphql.customers import Customer

strawberry.enum(
    ReminderChannel, name="ReminderChannel", description="How a customer was reminded."
)


@strawberry.type(description="A collection action logged on a customer.")
class Reminder(Node):
    date: dt.date = strawberry.field(description="When the customer was reminded.")
    channel: ReminderChannel = strawberry.field(description="How.")
    note: str | None = strawberry.field(description="A free note.")
    logged_by: str | None = strawberry.field(description="Who logged it (null for imported ones).")

    @staticmethod
    def of(row: domain.Reminder) -> Reminder:
        return Reminder(id=strawberry.ID(ids.reminder_id(row.id)), date=row.date,
                        channel=row.channel, note=row.note, logged_by=row.logged_by)  # fmt: skip


@strawberry.input(description="A reminder to log on a customer.")
class ReminderInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's id.")
    date: dt.date | None = strawberry.field(
        default=None, description="When the customer was reminded; today when omitted."
    )
    channel: ReminderChannel = strawberry.field(
        default=ReminderChannel.EMAIL, description="How (EMAIL by default)."
    )
    note: str | None = strawberry.field(default=None, description="A free note.")


@strawberry.type(description="The result of logReminder or deleteReminder.")
class ReminderPayload:
    reminder: Reminder | None = strawberry.field(
        description="The reminder logged; null when rejected."
    )
    customer: Annotated[Customer, strawberry.lazy("graphql_api.graphql.customers")] | None = (
        strawberry.field(
            description="The customer, with its figures (lastReminderDate) already updated."
        )
    )
    errors: list[UserError] = strawberry.field(description="Why it was rejected; empty on success.")

    @classmethod
    def done(cls, info: Info, reminder: domain.Reminder) -> ReminderPayload:
        """The reminder logged or deleted, with its customer as the change left it."""
        from graphql_api.graphql.customers import Customer  # customers list their reminders

        row = customer_queries.customer_by(info.context.conn, customer_id=reminder.customer_id)
        customer = None if row is None else Customer.shown(info, [row])[0]
        return cls(reminder=Reminder.of(reminder), customer=customer, errors=[])

    @classmethod
    def rejected(cls, error: UserInputError, info: Info) -> ReminderPayload:
        return cls(reminder=None, customer=None, errors=user_errors(error))


@strawberry.type
class ReminderMutations:
    @strawberry.mutation(
        description="Log a reminder on a customer (not for VIEWERs); its lastReminderDate is "
        "updated at once."
    )
    @payload_errors(ReminderPayload)
    def log_reminder(self, info: Info, input: ReminderInput) -> ReminderPayload:
        context = info.context
        with context.writing() as conn:
            logged = domain.log_reminder(
                conn, context.user, input.customer_id, input.date or context.today,
                context.today, input.channel, input.note, registry=context.registry,
            )  # fmt: skip
        return ReminderPayload.done(info, logged)

    @strawberry.mutation(
        description="Delete a mistaken reminder: the user who logged it or an ADMIN (an imported "
        "one: an ADMIN), never a VIEWER. The customer's figures and alerts follow."
    )
    @payload_errors(ReminderPayload)
    def delete_reminder(self, info: Info, id: strawberry.ID) -> ReminderPayload:
        context = info.context
        with context.writing() as conn:
            deleted = domain.delete_reminder(
                conn, context.user, id, context.today, registry=context.registry
            )
        return ReminderPayload.done(info, deleted)
