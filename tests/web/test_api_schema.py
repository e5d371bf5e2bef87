"""The JSON API against its own OpenAPI schema with schemathesis: generated requests to every
operation, as an admin and as a candidate, never get a server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from hireloop.config import Settings
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.jobs import Runtime
from hireloop.web import create_app
from tests.web.conftest import PASSWORD, builtin_bank, loop_definition

TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("schema")
    config = Settings(data_dir=data, grading_threads=0)
    runtime = Runtime.create(config, bank=builtin_bank())
    platform = service.Platform.create(config, runtime)
    app = create_app(config, platform, grading_threads=0)
    with platform.db.session() as s:
        admin = service.create_user(s, "admin@example.com", PASSWORD, "admin")
        TOKENS["admin"] = service.start_session(s, config, user_id=admin.id)
        loop = service.create_loop(s, platform, Principal("admin", user_id=admin.id),
                                   definition=loop_definition())
        interview, _ = service.invite(s, platform, Principal("admin", user_id=admin.id),
                                      name="C", email="c@example.com", loop_id=loop.id)
        TOKENS["candidate"] = service.start_session(s, config, interview_id=interview.id)
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


SETTINGS = settings(max_examples=12, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _fuzz(api_schema: Any, role: str) -> list[str]:
    """Run generated cases for every operation; return what failed."""
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25  # every operation the API documents
    for operation in operations:
        @given(case=operation.as_strategy())
        @SETTINGS
        def run(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {TOKENS[role]}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: "
                                f"{response.status_code} {response.text[:200]}")

        run()
    return failures


@pytest.mark.slow
def test_no_generated_request_as_an_admin_gets_a_server_error(api_schema: Any) -> None:
    failures = _fuzz(api_schema, "admin")
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_no_generated_request_as_a_candidate_gets_a_server_error(api_schema: Any) -> None:
    failures = _fuzz(api_schema, "candidate")
    assert not failures, "\n".join(failures)
