"""Every route the site answers: the ninja API's operations and Django's page URLs.

A route's key is "METHOD /path" with the path as Django spells its pattern (`<uuid:pk>`) for
pages and as ninja does (`{person_id}`) for the API, so a declared case names a route the way
its source does.
"""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Route:
    key: str
    method: str
    path: str
    api: bool
    path_params: tuple[str, ...] = ()
    query_fields: tuple[str, ...] = ()
    body_fields: tuple[str, ...] = field(default=(), compare=False)


def _api_operations(router, prefix: str):
    for path, path_view in router.path_operations.items():
        for operation in path_view.operations:
            sources = {"path": [], "query": [], "body": []}
            for model in operation.models:
                source = getattr(model, "__ninja_param_source__", None)
                if source in sources:
                    sources[source].extend(model.model_fields)
            for method in operation.methods:
                yield Route(
                    key=f"{method} {API_PREFIX}{prefix}{path}",
                    method=method,
                    path=f"{API_PREFIX}{prefix}{path}",
                    api=True,
                    path_params=tuple(sources["path"]),
                    query_fields=tuple(sources["query"]),
                    body_fields=tuple(sources["body"]),
                )
    for child_prefix, child, *_rest in router._routers:
        yield from _api_operations(child, prefix + child_prefix)


def api_routes() -> list[Route]:
    from fangyi.api import api

    routes = []
    for prefix, router in api._routers:
        routes.extend(_api_operations(router, prefix))
    return routes


def _page_patterns(patterns, prefix: str = "/"):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _page_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def page_routes() -> list[str]:
    """Every URL pattern that is not an operation of the API, as "/path/<converter:name>/":
    the pages, and the API's own documents (its OpenAPI schema, its viewer, its index)."""
    return [
        path
        for path, pattern in _page_patterns(get_resolver().url_patterns)
        if getattr(pattern.callback, "__module__", "") != "ninja.operation"
    ]
