import django.db.models.deletion
from django.db import migrations, models

KEYS = "village_id, registration_status, paid_through, anonymised_at IS NOT NULL"

# Statement-level triggers with transition tables: a statement's rows are counted at once, so an
# import or a COPY of thousands of farmers costs one grouped upsert, not one per farmer.
# PostgreSQL allows transition tables on single-event triggers only, hence three triggers on one
# function that picks its rows by event. Keys are upserted in order, so two statements touching
# the same desa lock their rows in the same order; an update that changes none of the keys (a
# phone number) nets to zero and writes nothing.
CREATE = f"""
CREATE FUNCTION enrollment_farmer_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT {KEYS}, 1 FROM new_farmers'
        WHEN 'DELETE' THEN 'SELECT {KEYS}, -1 FROM old_farmers'
        ELSE 'SELECT {KEYS}, 1 FROM new_farmers UNION ALL SELECT {KEYS}, -1 FROM old_farmers'
    END;
BEGIN
    EXECUTE 'INSERT INTO enrollment_farmertally (village_id, registration_status, paid_through, anonymised, farmers)
        SELECT k1, k2, k3, k4, SUM(change) FROM (' || changes || ') AS c (k1, k2, k3, k4, change)
        GROUP BY 1, 2, 3, 4 HAVING SUM(change) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (village_id, registration_status, paid_through, anonymised)
        DO UPDATE SET farmers = enrollment_farmertally.farmers + EXCLUDED.farmers';
    RETURN NULL;
END
$$;
CREATE TRIGGER farmer_tally_insert AFTER INSERT ON enrollment_farmer
    REFERENCING NEW TABLE AS new_farmers FOR EACH STATEMENT EXECUTE FUNCTION enrollment_farmer_tally();
CREATE TRIGGER farmer_tally_update AFTER UPDATE ON enrollment_farmer
    REFERENCING OLD TABLE AS old_farmers NEW TABLE AS new_farmers FOR EACH STATEMENT EXECUTE FUNCTION enrollment_farmer_tally();
CREATE TRIGGER farmer_tally_delete AFTER DELETE ON enrollment_farmer
    REFERENCING OLD TABLE AS old_farmers FOR EACH STATEMENT EXECUTE FUNCTION enrollment_farmer_tally();
INSERT INTO enrollment_farmertally (village_id, registration_status, paid_through, anonymised, farmers)
    SELECT {KEYS}, COUNT(*) FROM enrollment_farmer GROUP BY 1, 2, 3, 4;
"""
DROP = """
DROP TRIGGER farmer_tally_insert ON enrollment_farmer;
DROP TRIGGER farmer_tally_update ON enrollment_farmer;
DROP TRIGGER farmer_tally_delete ON enrollment_farmer;
DROP FUNCTION enrollment_farmer_tally();
"""


def _where_kept(sql):
    def run(apps, schema_editor):
        # Only where the table exists (PostgreSQL 15+, the model's required_db_features);
        # elsewhere (SQLite for `make run`) enrollment/tally.py counts the farmers.
        if schema_editor.connection.features.supports_nulls_distinct_unique_constraints:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0006_farmer_status_created_index"),
        ("wilayah", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="FarmerTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "registration_status",
                    models.CharField(
                        choices=[
                            ("MENUNGGU_KPJ", "Menunggu KPJ"),
                            ("TERDAFTAR", "Terdaftar"),
                            ("DITOLAK", "Ditolak BPJS"),
                        ],
                        max_length=12,
                    ),
                ),
                ("paid_through", models.DateField(null=True)),
                ("anonymised", models.BooleanField()),
                ("farmers", models.IntegerField()),
                (
                    "village",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wilayah.region",
                    ),
                ),
            ],
            options={
                "required_db_features": {"supports_nulls_distinct_unique_constraints"},
                "constraints": [
                    models.UniqueConstraint(
                        fields=("village", "registration_status", "paid_through", "anonymised"),
                        name="one_tally_per_kind",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.RunPython(_where_kept(CREATE), _where_kept(DROP)),
    ]
