"""The farmer tally per regency (enrollment/models.py, RegencyTally), appended to by the farmer
tally's own trigger: an admin's home read 106.000 desa rows at a million farmers (40–90 ms), the
regency rows are about 1.400 (under 1 ms).

The trigger groups a statement's changes once, upserts them per desa as before (0007, 0009), then
appends them summed per regency: an insert that takes no lock another writer could wait for, so the
lock order of docs/architecture.md#figures-at-scale is unchanged. `SET jit = off` is repeated
because CREATE OR REPLACE resets what monitoring 0005 set.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

KEYS = "village_id, registration_status, paid_through, anonymised_at IS NOT NULL, payment_waiting"
COLUMNS = "registration_status, paid_through, anonymised, payment_waiting"

# A desa's code begins with its regency's: 73.12.04.2009 lies in 73.12.
REPLACE = f"""
CREATE OR REPLACE FUNCTION enrollment_farmer_tally() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT {KEYS}, 1 FROM new_farmers'
        WHEN 'DELETE' THEN 'SELECT {KEYS}, -1 FROM old_farmers'
        ELSE 'SELECT {KEYS}, 1 FROM new_farmers UNION ALL SELECT {KEYS}, -1 FROM old_farmers'
    END;
BEGIN
    EXECUTE 'WITH per_desa AS (
            SELECT k1, k2, k3, k4, k5, SUM(change) AS change FROM (' || changes || ') AS c (k1, k2, k3, k4, k5, change)
            GROUP BY 1, 2, 3, 4, 5 HAVING SUM(change) <> 0
        ), desa AS (
            INSERT INTO enrollment_farmertally (village_id, {COLUMNS}, farmers)
            SELECT * FROM per_desa ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (village_id, {COLUMNS})
            DO UPDATE SET farmers = enrollment_farmertally.farmers + EXCLUDED.farmers
        )
        INSERT INTO enrollment_regencytally (regency_id, {COLUMNS}, farmers)
        SELECT LEFT(k1, 5), k2, k3, k4, k5, SUM(change) FROM per_desa
        GROUP BY 1, 2, 3, 4, 5 HAVING SUM(change) <> 0';
    RETURN NULL;
END
$$;
"""
# Writers wait while the regency rows are counted from the desa rows, so that none is missed.
FILL = f"""
LOCK TABLE enrollment_farmer IN SHARE MODE;
INSERT INTO enrollment_regencytally (regency_id, {COLUMNS}, farmers)
    SELECT LEFT(village_id, 5), {COLUMNS}, SUM(farmers) FROM enrollment_farmertally
    GROUP BY 1, 2, 3, 4, 5 HAVING SUM(farmers) <> 0;
"""
# 0009's function, without JIT as monitoring 0005 left it.
RESTORE = import_module("enrollment.migrations.0009_payment_waiting").REPLACE + (
    "ALTER FUNCTION enrollment_farmer_tally() SET jit = off;"
)

# As in 0007: only where the tally exists (PostgreSQL 15+).
_where_kept = import_module("enrollment.migrations.0007_farmer_tally")._where_kept


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0010_farmer_tally_paid_through_index"),
        ("wilayah", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegencyTally",
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
                ("payment_waiting", models.BooleanField()),
                ("farmers", models.IntegerField()),
                (
                    "regency",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wilayah.region",
                    ),
                ),
            ],
            options={"required_db_features": {"supports_nulls_distinct_unique_constraints"}},
        ),
        migrations.RunPython(_where_kept(REPLACE + FILL), _where_kept(RESTORE)),
    ]
