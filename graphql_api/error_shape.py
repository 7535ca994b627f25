"""One error shape (SPEC §8): every error a client causes carries `extensions.code` and, when it
concerns an argument or an input field, `extensions.field`: its dotted path from the argument's
name (`where.overdueAmount.min`, `input.criteria.country.values`, `last`), also when the value
came in a variable.

The resolvers' errors (graphql/errors.py: graphql_error) already carry a code and their problems.
The errors graphql-core raises before execution carry only a message and the document's nodes
at fault: the field is where those nodes stand in the document (the argument and input fields
around them), and, for a variable's value, the path graphql-core's own `validate_input_value`
reports inside that value. List indices are left out, as in a payload's `UserError.field`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    ObjectFieldNode,
    TypeInfo,
    TypeInfoVisitor,
    Undefined,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    type_from_ast,
    validate_input_literal,
    validate_input_value,
    visit,
)
from graphql.language.visitor import BREAK
from graphql.pyutils import print_path_list

BAD_REQUEST = "BAD_REQUEST"
VALIDATION = "VALIDATION"
UNAUTHENTICATED = "UNAUTHENTICATED"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"

# The resolvers name criteria problems from `criteria` (an alert input's field); the query
# arguments that take criteria are named `where`.
_CRITERIA_ARGUMENT = ("criteria", "where")
# graphql-core names a missing or unknown input field, and a missing argument, only in its
# messages ("… to include required field 'criteria' …", "Argument 'Query.alert(id:)' of type
# 'ID!' is required …").
_NAMED_FIELD = re.compile(r"to include (?:required|unknown) field '(\w+)'")
_MISSING_ARGUMENT = re.compile(r"^Argument '[\w.]*\((\w+):\)' of type .* is required")


def error_entry(message: str, code: str, field: str | None = None) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": code}
    if field is not None:
        extensions["field"] = field
    return {"message": message, "extensions": extensions}


def errors_body(message: str, code: str, field: str | None = None) -> dict[str, Any]:
    """The body of an HTTP error answered before GraphQL runs (401, 413, …)."""
    return {"errors": [error_entry(message, code, field)]}


class ErrorShape:
    """Completes the errors of one GraphQL request with their code and field."""

    def __init__(
        self, schema: GraphQLSchema, query: str, variables: Mapping[str, Any] | None
    ) -> None:
        self.schema = schema
        self.query = query
        self.variables = variables or {}
        self._document: DocumentNode | None = None
        self._literal_problems: list[tuple[str, list[str]]] | None = None

    def complete(self, error: GraphQLError, formatted: dict[str, Any]) -> dict[str, Any]:
        """`formatted` (the error as graphql-core formats it) with `extensions.code` and, where
        the error concerns an argument or an input field, `extensions.field`."""
        extensions = dict(formatted.get("extensions") or {})
        field = extensions.get("field") or self._field(error, extensions)
        code = extensions.get("code")
        if code is None:
            if error.path is not None:
                return formatted  # raised while executing, with no code: not the client's
            code = VALIDATION if field else BAD_REQUEST
        shaped = {"code": code, **({"field": field} if field else {})}
        return {**formatted, "extensions": {**shaped, **extensions, **shaped}}  # these first

    def _field(self, error: GraphQLError, extensions: dict[str, Any]) -> str | None:
        problems = extensions.get("problems")
        if problems:  # a resolver's: its path starts at the argument's value
            field = problems[0].get("field")
            return None if field is None else _rooted(field, error.nodes)
        document = self._parsed()
        if document is None or error.path is not None:
            return None
        nodes = error.nodes or []
        definition = next((n for n in nodes if isinstance(n, VariableDefinitionNode)), None)
        if definition is not None:
            path = self._in_variable(document, definition, error)
        else:
            path = self._in_literal(document, error) or next(
                (p for p in (_enclosing(document, node) for node in nodes) if p), None
            )
        if path:
            return ".".join(path)
        if nodes and isinstance(nodes[0], FieldNode):
            return _missing_argument(error)
        return None

    def _parsed(self) -> DocumentNode | None:
        if self._document is None:
            try:
                self._document = parse(self.query)
            except GraphQLError:
                return None
        return self._document

    def _in_variable(
        self, document: DocumentNode, definition: VariableDefinitionNode, error: GraphQLError
    ) -> list[str] | None:
        """Where the variable is used, then the path within its value of the problem `error`
        reports: found by validating the value again and matching graphql-core's message."""
        name = definition.variable.name.value
        usage = _usage(document, name)
        if usage is None:
            return None
        input_type: Any = type_from_ast(self.schema, definition.type)
        if input_type is None:
            return usage
        found: list[list[str]] = []

        def collect(problem: GraphQLError, path: list[str | int]) -> None:
            where = print_path_list(path)
            if error.message == f"Variable '${name}' has invalid value{where}: {problem.message}":
                found.append(_keys(path) + _named_field(problem.message))

        with contextlib.suppress(RecursionError, TypeError, ValueError):
            validate_input_value(self.variables.get(name, Undefined), input_type, collect)
        return usage + found[0] if found else usage

    def _in_literal(self, document: DocumentNode, error: GraphQLError) -> list[str] | None:
        """The path of a problem with a value written in the document: every argument's value
        is validated again (graphql-core's `validate_input_literal`, with the path it reports)
        and the problem with the same message is the one. A scalar's own coercion error has no
        node to place it by, so this is the only way to find it."""
        if self._literal_problems is None:
            self._literal_problems = []
            type_info = TypeInfo(self.schema)
            problems = self._literal_problems

            class Arguments(Visitor):
                def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
                    argument = type_info.get_argument()
                    if argument is None:
                        return

                    def collect(problem: GraphQLError, path: list[str | int]) -> None:
                        inner = _keys(path) + _named_field(problem.message)
                        problems.append((problem.message, [node.name.value, *inner]))

                    validate_input_literal(node.value, argument.type, collect)

            visit(document, TypeInfoVisitor(type_info, Arguments()))
        return next((path for message, path in self._literal_problems if message == error.message),
                    None)  # fmt: skip


def _rooted(field: str, nodes: list[Node] | None) -> str:
    """A resolver's problem path, from the name of the argument it concerns."""
    head, _, rest = field.partition(".")
    node = nodes[0] if nodes else None
    if not isinstance(node, FieldNode):
        return field
    arguments = {argument.name.value for argument in node.arguments or ()}
    criteria, where = _CRITERIA_ARGUMENT
    if head == criteria and criteria not in arguments and where in arguments:
        return f"{where}.{rest}" if rest else where
    return field


def _names(ancestors: list[Any]) -> list[str]:
    """The argument and input-field names among a node's ancestors (and itself), from the
    argument on; empty when it is not within an argument."""
    names: list[str] = []
    for ancestor in ancestors:
        if isinstance(ancestor, ArgumentNode):
            names = [ancestor.name.value]
        elif isinstance(ancestor, ObjectFieldNode) and names:
            names.append(ancestor.name.value)
    return names


def _keys(path: list[str | int]) -> list[str]:
    """A path within a value, without list indices."""
    return [key for key in path if isinstance(key, str)]


def _usage(document: DocumentNode, name: str) -> list[str] | None:
    """Where variable `name` is first used: the argument and input fields around it."""
    found: list[list[str]] = []

    class Usage(Visitor):
        def enter_variable(self, node: VariableNode, *args: Any) -> Any:
            path = _names([*args[3], args[1], node])
            if node.name.value == name and path:
                found.append(path)
                return BREAK
            return None

    visit(document, Usage())
    return found[0] if found else None


def _enclosing(document: DocumentNode, target: Node) -> list[str] | None:
    """The argument and input fields around `target`, a node of the same document parsed
    again (found by its kind and place): an unknown argument or input field."""
    if target.loc is None:
        return None
    place = (target.kind, target.loc.start, target.loc.end)
    found: list[list[str]] = []

    class Finder(Visitor):
        def enter(self, node: Node, *args: Any) -> Any:
            if node.loc is None or (node.kind, node.loc.start, node.loc.end) != place:
                return None
            found.append(_names([*args[3], args[1], node]))
            return BREAK

    visit(document, Finder())
    return found[0] if found else None


def _named_field(message: str) -> list[str]:
    """The input field a value lacks or should not have."""
    found = _NAMED_FIELD.search(message)
    return [found.group(1)] if found else []


def _missing_argument(error: GraphQLError) -> str | None:
    found = _MISSING_ARGUMENT.search(error.message)
    return found.group(1) if found else None
