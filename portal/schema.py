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

A request body that takes a date or date-time through a field without the portal's window (portal.inputs)
is a schema warning, which fails `manage.py spectacular --fail-on-warn` in the tests: no new endpoint can
accept year 0001 or 9999 again.
"""

from __future__ import annotations

from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from portal.api import ProblemSerializer
from portal.inputs import BoundedDateField, BoundedDateTimeField

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

DESCRIPTIONS = {  # for developers reading the schema, like the rest of it: English
    400: "Invalid input; `errors` names the fields.",
    401: "Not signed in, or the session token is not valid.",
    403: "Not allowed (role, scope, two-factor authentication or CSRF).",
    404: "Not found, or not yours to see.",
    409: "Conflicts with the current state (full, duplicate, already done, or busy).",
    415: "Unsupported content type (the API takes JSON).",
    429: "Too many requests; retry after the number of seconds in Retry-After.",
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
        for code, response in responses.items():  # an error named by extend_schema keeps its words, in our format
            if code.isdigit() and int(code) >= 400 and "content" not in response:
                response["content"] = {"application/json": {"schema": problem}}
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if direction == "request" and not field.read_only and _unbounded_date(field):
            warn(f"{_field_path(field)} takes dates without the portal's window: "
                 f"use portal.inputs.BoundedDateField / BoundedDateTimeField")
        return super()._map_serializer_field(field, direction, bypass_extensions)

    @staticmethod
    def _problem_response(status: int, problem: dict) -> dict:
        response = {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": problem}}}
        if status == 429:
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "required": False,
                                                   "description": "seconds"}}
        return response


def _unbounded_date(field) -> bool:
    if isinstance(field, serializers.DateTimeField):
        return not isinstance(field, BoundedDateTimeField)
    if isinstance(field, serializers.DateField):
        return not isinstance(field, BoundedDateField)
    return False


def _field_path(field) -> str:
    names, node = [], field
    while node is not None and not isinstance(node, serializers.BaseSerializer):
        if node.field_name:
            names.append(node.field_name)
        node = node.parent
    return f"{type(node).__name__}.{'.'.join(reversed(names))}"
