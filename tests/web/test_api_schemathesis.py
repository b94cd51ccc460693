"""schemathesis against the OpenAPI spec (issue 6 §5): generated requests to every API operation
never get a server error (5xx)."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from webclient import API_TOKEN

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def test_api_never_answers_with_a_server_error(app):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=AUTH)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    failures, calls = [], []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def probe(case):
            response = case.call(headers=AUTH)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        probe()
    assert failures == []
    assert len(calls) >= 5 * len(operations)   # the generator really called the API
