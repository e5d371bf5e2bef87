"""The JSON API against its own OpenAPI schema with schemathesis: generated requests to every
operation, as an admin, a hiring manager (through an API token), an interviewer and a candidate,
never get a server error, and every answer has a status the operation documents."""

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


@pytest.fixture
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("schema")  # a fresh platform per role: the fuzzer may
    # sign its own session out, revoke its token or change a user
    config = Settings(data_dir=data, grading_threads=0)
    runtime = Runtime.create(config, bank=builtin_bank())
    platform = service.Platform.create(config, runtime)
    app = create_app(config, platform, grading_threads=0)
    with platform.db.session() as s:
        admin = service.create_user(s, "admin@example.com", PASSWORD, "admin")
        TOKENS["admin"] = service.start_session(s, config, user_id=admin.id)
        team = service.create_team(s, "Team")
        manager = service.create_user(s, "m@example.com", PASSWORD, "hiring_manager", "",
                                      team.id)
        _, TOKENS["manager"] = service.create_api_token(
            s, Principal("hiring_manager", user_id=manager.id, team_id=team.id), "fuzz")
        interviewer = service.create_user(s, "i@example.com", PASSWORD, "interviewer", "",
                                          team.id)
        TOKENS["interviewer"] = service.start_session(s, config, user_id=interviewer.id)
        loop = service.create_loop(s, platform, Principal("admin", user_id=admin.id),
                                   definition=loop_definition(), team_id=team.id)
        interview, _ = service.invite(s, platform, Principal("admin", user_id=admin.id),
                                      name="C", email="c@example.com", loop_id=loop.id,
                                      interviewers=[interviewer.id])
        TOKENS["candidate"] = service.start_session(s, config, interview_id=interview.id)
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


SETTINGS = settings(max_examples=12, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _fuzz(api_schema: Any, role: str) -> list[str]:
    """Run generated cases for every operation; return what failed."""
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 59  # every operation the API documents
    for operation in operations:
        _checker(operation, role, failures)()
    return failures


def _checker(operation: Any, role: str, failures: list[str]) -> Any:
    """A Hypothesis test over one operation's generated cases, appending to ``failures``."""
    documented = set(operation.definition.raw.get("responses", {}))

    @given(case=operation.as_strategy())
    @SETTINGS
    def run(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {TOKENS[role]}"})
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: "
                            f"{response.status_code} {response.text[:200]}")
            return
        if str(response.status_code) not in documented:
            failures.append(f"{case.method} {case.formatted_path}: undocumented "
                            f"{response.status_code} {response.text[:120]}")

    return run


def test_the_schema_declares_the_bearer_scheme_and_the_errors(api_schema: Any) -> None:
    raw = api_schema.raw_schema
    assert raw["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, methods in raw["paths"].items():
        for method, operation in methods.items():
            assert operation.get("security"), f"{method} {path} declares no security"
            assert {"403", "422"} <= set(operation["responses"]), f"{method} {path}"


@pytest.mark.slow
def test_no_generated_request_as_an_admin_gets_a_server_error_or_an_undocumented_status(
        api_schema: Any) -> None:
    failures = _fuzz(api_schema, "admin")
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["manager", "interviewer", "candidate"])
def test_no_generated_request_gets_a_server_error_or_an_undocumented_status(
        api_schema: Any, role: str) -> None:
    failures = _fuzz(api_schema, role)
    assert not failures, "\n".join(failures)
