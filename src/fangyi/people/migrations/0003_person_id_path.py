from django.db import migrations

# A city-wide recompute walks every person by id for (id, region_path): with the path in the
# index, PostgreSQL reads the index alone instead of a million heap rows (finding 18 of
# docs/benchmarks.md). SQLite has no INCLUDE; its rowid tables are walked by the key anyway.
CREATE = "CREATE INDEX IF NOT EXISTS person_id_path ON people_person (id) INCLUDE (region_path)"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_id_path")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_person_away")]

    operations = [migrations.RunPython(add_index, drop_index, elidable=False)]
