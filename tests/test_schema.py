from django.core.management import call_command


def test_openapi_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns any view the schema cannot describe into a failure (also part of check --deploy).
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/bookings/" in text and "sessionToken" in text


def test_every_operation_documents_its_error_statuses(tmp_path):
    """Clients (and the fuzz suite) learn from the schema which errors an operation answers, in one format."""
    import json

    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    schema = json.loads(out.read_text())
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"401", "404", "429"}
            if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
                expected.add("400")
            if method in {"post", "put", "patch", "delete"}:
                expected |= {"403", "409"}
            assert expected <= set(responses), (method, path, sorted(responses))
            for status in expected:
                assert responses[status]["content"]["application/json"]["schema"] == problem, (method, path, status)
