"""How much one GraphQL request may ask: depth, aliases, tokens and body size.

The defaults follow graphql-armor's (depth 6–10, aliases 15, tokens 1000–2000)
and can be changed from the environment (DSO_ALERTS_MAX_DEPTH, _MAX_ALIASES,
_MAX_TOKENS, _MAX_BODY_BYTES). A request over a limit gets a GraphQL error (HTTP
200) naming the limit, or HTTP 413 for the body; never a server error.
Introspection passes: the depth limit skips `__schema` and `__type`, and
GraphiQL's introspection query has no alias and under 200 tokens. Page sizes
(`first` at most 500) are part of the schema and checked by the resolvers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphql import ValidationContext, ValidationRule
from starlette.requests import Request
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from graphql_api.settings import Settings


@dataclass(frozen=True)
class QueryLimits:
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_body_bytes: int

    @classmethod
    def from_environment(cls) -> QueryLimits:
        settings = Settings()
        return cls(
            settings.max_depth, settings.max_aliases, settings.max_tokens, settings.max_body_bytes
        )

    def validation_rules(self) -> list[type[ValidationRule]]:
        """The depth and alias rules. Build them once per schema: strawberry's ValidationCache
        is keyed by the rule classes, and a new class per request would never hit it."""
        return [_tolerant(depth_rule(self.max_depth, None, None)), aliases_rule(self.max_aliases)]

    def extensions(self) -> list[Callable[[], SchemaExtension]]:
        """Schema extensions (as factories: strawberry gives each request its own instances)."""
        rules = self.validation_rules()
        return [lambda: AddValidationRules(rules), lambda: MaxTokensLimiter(self.max_tokens)]


def _tolerant(rule: type[ValidationRule]) -> type[ValidationRule]:
    """strawberry's depth rule, which fails (KeyError) on a spread of a fragment the document
    does not define: that is the client's error, which graphql-core's KnownFragmentNamesRule
    reports, so the depth is simply not checked."""

    class DepthRule(rule):  # type: ignore[valid-type, misc]
        def __init__(self, context: ValidationContext) -> None:
            try:
                super().__init__(context)
            except KeyError:
                ValidationRule.__init__(self, context)

    return DepthRule


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
