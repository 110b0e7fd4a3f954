"""The data migration gives policies already in the database the isolation terms."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from fangyi.health.models import Policy
from fangyi.isolation import rules

pytestmark = pytest.mark.django_db

migration = importlib.import_module("fangyi.health.migrations.0007_isolation_terms")


def _strip(parameters: dict) -> dict:
    stripped = {
        key: dict(value) if isinstance(value, dict) else value for key, value in parameters.items()
    }
    for section in ("close_contact", "secondary_contact", "arrival"):
        if stripped.get(section):
            for key in ("quarantine_kind", "next_stage"):
                stripped[section].pop(key, None)
    stripped["arrival"].pop("quarantine_days", None)
    stripped["arrival"].pop("quarantine_test_days", None)
    stripped.pop("recovered", None)
    return stripped


def test_existing_policies_get_the_terms_and_edited_values_stay():
    shipped = Policy.objects.get(code="2022-06-9th")
    edited = _strip(shipped.parameters)
    edited["close_contact"]["quarantine_kind"] = "home"
    Policy.objects.filter(pk=shipped.pk).update(parameters=edited)
    custom = Policy.objects.create(
        code="local",
        name="地方方案",
        effective_from="2022-08-01",
        parameters=_strip(shipped.parameters),
    )
    twenty = Policy.objects.get(code="2022-11-20m")
    Policy.objects.filter(pk=twenty.pk).update(parameters=_strip(twenty.parameters))

    migration.add_terms(apps, SimpleNamespace(connection=connection))

    shipped.refresh_from_db()
    assert rules.term_for(shipped.parameters, "close_contact").kind == "home"
    assert rules.term_for(shipped.parameters, "recovered") == rules.Term(
        "home_monitoring", 7, (3, 7)
    )
    custom.refresh_from_db()
    assert rules.term_for(custom.parameters, "arrival") == rules.Term("home", 7, (1, 4, 7))
    twenty.refresh_from_db()
    assert twenty.parameters["secondary_contact"] is None
    assert rules.term_for(twenty.parameters, "arrival") == rules.Term("home", 5, (1, 3, 5))
