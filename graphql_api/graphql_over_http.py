"""GraphQL over HTTP's media types (SPEC §8): a client that accepts
`application/graphql-response+json` gets it, with the status codes that media type gives
(a request that cannot run at all, because its document does not parse or validate or its
variables do not fit, is a 4xx, without `data`); every other client gets `application/json`
and HTTP 200 for any GraphQL answer, as before.
"""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
JSON_TYPES = (JSON, GRAPHQL_RESPONSE)
HTML = "text/html"


def qualities(accept: str) -> dict[str, float]:
    """Each media type of an Accept header with its quality (q, 1 by default)."""
    found: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        found[media] = max(found.get(media, 0.0), quality)
    return found


def response_media_type(accept: str) -> str:
    """`application/graphql-response+json` when the client accepts it at least as much as
    `application/json`; otherwise `application/json` (also for no Accept header, or `*/*`)."""
    accepted = qualities(accept)
    preferred = accepted.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if preferred > 0 and preferred >= accepted.get(JSON, 0.0) else JSON


def request_error_status(media_type: str) -> int:
    """The status of an answer without `data` (the request could not run)."""
    return 400 if media_type == GRAPHQL_RESPONSE else 200
