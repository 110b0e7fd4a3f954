from django.db import migrations

from fangyi.enterprises.presets import COMMITMENTS


def load(apps, schema_editor):
    Commitment = apps.get_model("enterprises", "Commitment")
    for order, (code, text, text_en) in enumerate(COMMITMENTS):
        Commitment.objects.update_or_create(
            code=code, defaults={"text": text, "text_en": text_en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
