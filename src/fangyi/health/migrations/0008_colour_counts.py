"""Status rows counted per region path and colour, kept by triggers on health_status.

Triggers, not the code that writes statuses: rows are written by the recompute's COPY and
upserts, by the ORM (manual decisions, a person deleted with their status) and by raw
updates; a trigger sees all of them, in the writer's transaction, so the counts are exact at
every commit. On PostgreSQL one statement-level trigger per operation adds up the rows the
statement changed (transition tables: a million-row recompute costs one grouped upsert, not a
million); SQLite, for small deployments and the tests, counts row by row.
"""

from django.db import migrations, models

POSTGRES = [
    """
CREATE FUNCTION health_colourcount_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO health_colourcount (region_path, colour, count)
        SELECT region_path, colour, count(*) FROM health_status_new GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (region_path, colour)
        DO UPDATE SET count = health_colourcount.count + excluded.count;
    ELSIF TG_OP = 'DELETE' THEN
        -- Only rows that exist are counted down: a status deleted after the counts were
        -- emptied (a test database's flush, table by table) must not leave a negative row.
        UPDATE health_colourcount AS kept SET count = kept.count - gone.n
        FROM (SELECT region_path, colour, count(*) AS n FROM health_status_old GROUP BY 1, 2)
            AS gone
        WHERE kept.region_path = gone.region_path AND kept.colour = gone.colour;
    ELSE
        INSERT INTO health_colourcount (region_path, colour, count)
        SELECT region_path, colour, sum(n) FROM (
            SELECT region_path, colour, count(*) AS n FROM health_status_new GROUP BY 1, 2
            UNION ALL
            SELECT region_path, colour, -count(*) FROM health_status_old GROUP BY 1, 2
        ) AS changes GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
        ON CONFLICT (region_path, colour)
        DO UPDATE SET count = health_colourcount.count + excluded.count;
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE FUNCTION health_colourcount_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM health_colourcount;
    RETURN NULL;
END $$
""",
    "CREATE TRIGGER health_colourcount_insert AFTER INSERT ON health_status "
    "REFERENCING NEW TABLE AS health_status_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION health_colourcount_apply()",
    "CREATE TRIGGER health_colourcount_update AFTER UPDATE ON health_status "
    "REFERENCING OLD TABLE AS health_status_old NEW TABLE AS health_status_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION health_colourcount_apply()",
    "CREATE TRIGGER health_colourcount_delete AFTER DELETE ON health_status "
    "REFERENCING OLD TABLE AS health_status_old "
    "FOR EACH STATEMENT EXECUTE FUNCTION health_colourcount_apply()",
    "CREATE TRIGGER health_colourcount_truncate AFTER TRUNCATE ON health_status "
    "FOR EACH STATEMENT EXECUTE FUNCTION health_colourcount_truncate()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS health_colourcount_insert ON health_status",
    "DROP TRIGGER IF EXISTS health_colourcount_update ON health_status",
    "DROP TRIGGER IF EXISTS health_colourcount_delete ON health_status",
    "DROP TRIGGER IF EXISTS health_colourcount_truncate ON health_status",
    "DROP FUNCTION IF EXISTS health_colourcount_apply()",
    "DROP FUNCTION IF EXISTS health_colourcount_truncate()",
]
_ADD = (
    "INSERT INTO health_colourcount (region_path, colour, count) VALUES ({row}.region_path, "
    "{row}.colour, {n}) ON CONFLICT (region_path, colour) DO UPDATE SET count = count + {n};"
)
# A row going away only counts down a row that exists (as on PostgreSQL's delete).
_REMOVE = (
    "UPDATE health_colourcount SET count = count - 1 "
    "WHERE region_path = OLD.region_path AND colour = OLD.colour;"
)
SQLITE = [
    "CREATE TRIGGER health_colourcount_insert AFTER INSERT ON health_status BEGIN "
    + _ADD.format(row="NEW", n=1)
    + " END",
    "CREATE TRIGGER health_colourcount_delete AFTER DELETE ON health_status BEGIN "
    + _REMOVE
    + " END",
    "CREATE TRIGGER health_colourcount_update AFTER UPDATE OF region_path, colour ON health_status "
    "WHEN OLD.region_path IS NOT NEW.region_path OR OLD.colour IS NOT NEW.colour BEGIN "
    + _REMOVE
    + " "
    + _ADD.format(row="NEW", n=1)
    + " END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS health_colourcount_insert",
    "DROP TRIGGER IF EXISTS health_colourcount_delete",
    "DROP TRIGGER IF EXISTS health_colourcount_update",
]
FILL = (
    "INSERT INTO health_colourcount (region_path, colour, count) "
    "SELECT region_path, colour, count(*) FROM health_status GROUP BY region_path, colour"
)


def keep_counts(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # No status written between the fill and the triggers' start goes uncounted.
        schema_editor.execute("LOCK TABLE health_status IN SHARE ROW EXCLUSIVE MODE")
    for statement in POSTGRES if postgres else SQLITE:
        schema_editor.execute(statement)
    schema_editor.execute(FILL)


def stop_counting(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRES_REVERSE if postgres else SQLITE_REVERSE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("health", "0007_isolation_terms")]

    operations = [
        migrations.CreateModel(
            name="ColourCount",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "region_path",
                        "colour",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("region_path", models.CharField(max_length=18)),
                (
                    "colour",
                    models.CharField(
                        choices=[
                            ("green", "绿码"),
                            ("yellow", "黄码"),
                            ("orange", "橙码"),
                            ("red", "红码"),
                        ],
                        max_length=8,
                    ),
                ),
                ("count", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "健康码人数", "verbose_name_plural": "健康码人数"},
        ),
        migrations.RunPython(keep_counts, stop_counting, elidable=False),
    ]
