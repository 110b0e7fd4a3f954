"""The isolation terms (kind, term, test days per reason, the next stage) added to the policies
already in the database, as the shipped plans now carry them (health/presets.py).

Only missing keys are filled: a plan someone edited keeps its values. A policy that is not one
of the shipped plans gets the terms of the 9th edition, the default in force. The terms are
written out here rather than read from presets.py, which may change after this migration.
"""

from django.db import migrations

TERMS = {
    "2022-03": {
        "close_contact": {"quarantine_kind": "centralised", "next_stage": True},
        "secondary_contact": {"quarantine_kind": "centralised"},
        "arrival": {
            "quarantine_kind": "home",
            "quarantine_days": 14,
            "quarantine_test_days": [1, 4, 7, 14],
        },
        "recovered": {
            "quarantine_kind": "home",
            "quarantine_days": 14,
            "quarantine_test_days": [7, 14],
        },
    },
    "2022-06-9th": {
        "close_contact": {"quarantine_kind": "centralised", "next_stage": True},
        "secondary_contact": {"quarantine_kind": "home"},
        "arrival": {
            "quarantine_kind": "home",
            "quarantine_days": 7,
            "quarantine_test_days": [1, 4, 7],
        },
        "recovered": {
            "quarantine_kind": "home_monitoring",
            "quarantine_days": 7,
            "quarantine_test_days": [3, 7],
        },
    },
    "2022-11-20m": {
        "close_contact": {"quarantine_kind": "centralised", "next_stage": True},
        "arrival": {
            "quarantine_kind": "home",
            "quarantine_days": 5,
            "quarantine_test_days": [1, 3, 5],
        },
        "recovered": {
            "quarantine_kind": "home_monitoring",
            "quarantine_days": 5,
            "quarantine_test_days": [3, 5],
        },
    },
}
DEFAULT = "2022-06-9th"


def add_terms(apps, schema_editor):
    Policy = apps.get_model("health", "Policy")
    for policy in Policy.objects.using(schema_editor.connection.alias).all():
        parameters = dict(policy.parameters)
        for section, keys in TERMS.get(policy.code, TERMS[DEFAULT]).items():
            current = parameters.get(section)
            # A reason the plan does not trace (None) stays untraced.
            if section in parameters and current is None:
                continue
            merged = dict(current or {})
            for key, value in keys.items():
                merged.setdefault(key, value)
            parameters[section] = merged
        if parameters != policy.parameters:
            policy.parameters = parameters
            policy.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("health", "0006_recompute_run")]

    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
