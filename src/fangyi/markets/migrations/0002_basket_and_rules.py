"""The standard basket and the published warning rule, in force (see presets.py)."""

from django.db import migrations

from fangyi.markets import presets

PUBLISHED = "商务部生活必需品监测预警（10 日均价）"


def load(apps, schema_editor):
    item_model = apps.get_model("markets", "Item")
    for order, (code, name, unit, category) in enumerate(presets.BASKET):
        item_model.objects.update_or_create(
            code=code, defaults={"name": name, "unit": unit, "category": category, "order": order}
        )
    rule_model = apps.get_model("markets", "RuleSet")
    rule_model.objects.update_or_create(
        name=PUBLISHED,
        defaults={
            "in_force": True,
            "price_bands": presets.PRICE_BANDS,
            "cover_targets": presets.COVER_TARGETS,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("markets", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
