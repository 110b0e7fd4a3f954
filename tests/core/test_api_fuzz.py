"""schemathesis over the whole API, in process: a few generated requests per operation, valid
and invalid, as a superuser; none may end in a server error. benchmarks/api_fuzz.py does the
same over HTTP with many more examples."""

import contextlib

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from fangyi.accounts.services import issue_token

pytestmark = pytest.mark.django_db

EXAMPLES = 3


@pytest.fixture
def test_transaction_kept():
    """The WSGI handler closes old connections around each request, which would close the
    test's own (a file on SQLite, so that worker processes can open it): Django's test client
    keeps it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_operation_answers_a_server_error(city, superuser, test_transaction_kept):
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {issue_token(actor=None, user=superuser)}"}
    ids = {
        "person_id": str(city.person_a.pk),
        "household_id": str(city.household_a.pk),
        "code": city.grid_a.code,
        "ledger": "residents",
    }
    errors = []
    operations = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        if operation.path == "/api/v1/me/logout":
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            @seed(14)
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                if case.path_parameters:
                    case.path_parameters = {
                        name: ids.get(name, value) for name, value in case.path_parameters.items()
                    }
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    errors.append(f"{case.method} {case.formatted_path}: {response.status_code}")

            # No invalid request exists for an operation that takes nothing.
            with contextlib.suppress(Unsatisfiable):
                call()
    assert operations > 80
    assert errors == []
