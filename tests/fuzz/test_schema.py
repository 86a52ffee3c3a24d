"""Schema fuzzing: Schemathesis generates requests from the app's own /openapi.json and checks, against the
live local stack, that no answer is a server error and every answer conforms to the documented statuses,
content types and schemas. `make fuzz` runs a larger budget (FUZZ_EXAMPLES)."""

import os

import pytest
import schemathesis
from schemathesis import checks
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.conftest import sign_up_and_in

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# no server error; every status, content type, body and header as documented
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture(scope="session")
def api_schema(live_url):
    return schemathesis.openapi.from_url(f"{live_url}/openapi.json")


@pytest.fixture(scope="session")
def fuzz_tokens(client, admin):
    return {"customer": sign_up_and_in(client, name="Fuzzy Customer").token, "admin": admin.token}


schema = schemathesis.pytest.from_fixture("api_schema")
# Cursors are signed by the server: the fuzzer cannot make valid ones, so it sends "first page" (empty);
# forged cursors are tested on their own (tests/api/test_catalog.py).
schemathesis.openapi.format("cursor", st.just(""))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_every_operation_keeps_to_its_documented_contract(case, fuzz_tokens):
    definition = case.operation.definition.raw
    headers = dict(case.headers or {})
    if definition.get("security"):
        role = "admin" if "Admin only" in definition.get("description", "") else "customer"
        headers["Authorization"] = f"Bearer {fuzz_tokens[role]}"
    case.call_and_validate(headers=headers, checks=CHECKS)
