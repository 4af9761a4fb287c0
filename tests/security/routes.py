"""Every route of the URL conf, walked from get_resolver() (shared by the access-matrix and personal-data suites)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Routes classified by prefix; everything else needs its own line in the access matrix.
GROUPS = {
    "admin/": "admin",
    "_allauth/": "allauth",
    "accounts/": "allauth",
    "i18n/": "public",
    "favicon.ico": "public",
    "webhooks/": "public",  # Stripe's signed events: the signature is the credential (tests/payments)
    "api/schema/": "public",
    "api/docs/": "public",
    "static/": "public",
    "media/": "public",
}
_KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


@dataclass(frozen=True)
class RouteInfo:
    name: str  # namespaced url name, or the path when the route has no name
    path: str  # the route as written, e.g. "console/members/<id:pk>/"
    kwargs: tuple[str, ...]
    callback: object
    group: str | None

    @property
    def is_api(self) -> bool:
        return self.path.startswith(("api/", "_allauth/"))

    def served_methods(self) -> set[str] | None:
        """The HTTP methods a DRF view answers (None for plain Django views, which do not say)."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return {m.upper() for m in actions if m != "head"}
        cls = getattr(self.callback, "cls", None)
        if cls is not None:
            return {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)}
        return None


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (namespace + p.name) if p.name else None, p.callback


def all_routes() -> list[RouteInfo]:
    """One RouteInfo per route name (DRF's `.json` format-suffix twins share their route's name and view)."""
    seen: dict[str, RouteInfo] = {}
    for path, name, callback in _walk(get_resolver().url_patterns):
        if "(?P<format>" in path or "<drf_format_suffix:" in path:
            continue
        clean = re.sub(r"(^|/)\^", r"\1", path).replace("$", "")
        key = name or clean
        if key in seen:
            continue
        group = next((g for prefix, g in GROUPS.items() if clean.startswith(prefix)), None)
        kwargs = tuple(a or b for a, b in _KWARG.findall(clean))
        seen[key] = RouteInfo(name=key, path=clean, kwargs=kwargs, callback=callback, group=group)
    return list(seen.values())
