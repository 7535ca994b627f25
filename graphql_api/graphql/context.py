"""The type of a resolver's `info`: its context is the request's `RequestContext`."""

import strawberry

from graphql_api.request_context import RequestContext

Info = strawberry.Info[RequestContext, None]
