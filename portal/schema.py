"""OpenAPI generation: every operation documents the errors it can answer, in the one problem format.

The statuses follow from what the operation is, so a new view is documented without extra work:

| status | when |
|---|---|
| 400 | it takes a request body or query parameters (validation, with the fields named) |
| 401 | always: a wrong or expired `X-Session-Token` is refused even where no sign-in is needed |
| 403 | it needs a signed-in user (permissions, staff two-factor), or it writes (CSRF for browser sessions) |
| 404 | always: a path id that is absent or not yours, a page past the end, an account without a member profile |
| 409 | it writes (full, duplicate, already done, row busy) |
| 415 | it takes a request body (unsupported content type) |
| 429 | always (throttles) |

An operation that differs says so with `extend_schema(responses=...)`; statuses it names are kept as given.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from portal.api import ProblemSerializer

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

DESCRIPTIONS = {
    400: _("Invalid input; `errors` names the fields."),
    401: _("Not signed in, or the session token is not valid."),
    403: _("Not allowed (role, scope, two-factor authentication or CSRF)."),
    404: _("Not found, or not yours to see."),
    409: _("Conflicts with the current state (full, duplicate, already done, or busy)."),
    415: _("Unsupported content type."),
    429: _("Too many requests; retry after the number of seconds in Retry-After."),
}


def error_statuses(*, method: str, has_body: bool, has_query: bool, public: bool) -> list[int]:
    statuses = {401, 404, 429}
    if has_body or has_query:
        statuses.add(400)
    if has_body:
        statuses.add(415)
    if not public or method in UNSAFE:
        statuses.add(403)
    if method in UNSAFE:
        statuses.add(409)
    return sorted(statuses)


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        problem = self.resolve_serializer(ProblemSerializer, "response").ref
        statuses = error_statuses(
            method=self.method,
            has_body="requestBody" in operation,
            has_query=any(p["in"] == "query" for p in operation.get("parameters", [])),
            public={} in operation.get("security", []),
        )
        responses = operation.setdefault("responses", {})
        for status in statuses:
            responses.setdefault(str(status), self._problem_response(status, problem))
        return operation

    @staticmethod
    def _problem_response(status: int, problem: dict) -> dict:
        response = {"description": str(DESCRIPTIONS[status]), "content": {"application/json": {"schema": problem}}}
        if status == 429:
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "required": False,
                                                   "description": "seconds"}}
        return response
