from django.db import migrations, models

# A name search is "contains" (UPPER(name) LIKE '%SITI%'): only a trigram index serves it.
# PostgreSQL only; SQLite (`make run`) scans its few demo farmers instead.
TRIGRAM_INDEX = "farmer_name_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON enrollment_farmer USING gin (UPPER(name) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0003_reference_data_and_agent_moved_out")]

    operations = [
        migrations.AddIndex(
            model_name="farmer",
            index=models.Index(fields=["name", "id"], name="farmer_name_id"),
        ),
        migrations.AddIndex(
            model_name="farmer",
            index=models.Index(fields=["no_kk"], name="farmer_no_kk"),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
