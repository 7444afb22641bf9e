from django.db import migrations, models

KEYS = "village_id, registration_status, paid_through, anonymised_at IS NOT NULL, payment_waiting"

# The tally of migration 0007 with one more key: whether a payment of the farmer waits for the
# insurer (the visit list leaves those farmers out). Same function, same triggers.
REPLACE = f"""
CREATE OR REPLACE FUNCTION enrollment_farmer_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT {KEYS}, 1 FROM new_farmers'
        WHEN 'DELETE' THEN 'SELECT {KEYS}, -1 FROM old_farmers'
        ELSE 'SELECT {KEYS}, 1 FROM new_farmers UNION ALL SELECT {KEYS}, -1 FROM old_farmers'
    END;
BEGIN
    EXECUTE 'INSERT INTO enrollment_farmertally
            (village_id, registration_status, paid_through, anonymised, payment_waiting, farmers)
        SELECT k1, k2, k3, k4, k5, SUM(change) FROM (' || changes || ') AS c (k1, k2, k3, k4, k5, change)
        GROUP BY 1, 2, 3, 4, 5 HAVING SUM(change) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (village_id, registration_status, paid_through, anonymised, payment_waiting)
        DO UPDATE SET farmers = enrollment_farmertally.farmers + EXCLUDED.farmers';
    RETURN NULL;
END
$$;
"""
# Back to 0007's function: the tally is counted again without the key.
RESTORE_KEYS = "village_id, registration_status, paid_through, anonymised_at IS NOT NULL"
RESTORE = f"""
CREATE OR REPLACE FUNCTION enrollment_farmer_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT {RESTORE_KEYS}, 1 FROM new_farmers'
        WHEN 'DELETE' THEN 'SELECT {RESTORE_KEYS}, -1 FROM old_farmers'
        ELSE 'SELECT {RESTORE_KEYS}, 1 FROM new_farmers UNION ALL SELECT {RESTORE_KEYS}, -1 FROM old_farmers'
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
"""
RECOUNT = f"""
DELETE FROM enrollment_farmertally;
INSERT INTO enrollment_farmertally (village_id, registration_status, paid_through, anonymised, payment_waiting, farmers)
    SELECT {KEYS}, COUNT(*) FROM enrollment_farmer GROUP BY 1, 2, 3, 4, 5;
"""
RECOUNT_WITHOUT = f"""
DELETE FROM enrollment_farmertally;
INSERT INTO enrollment_farmertally (village_id, registration_status, paid_through, anonymised, payment_waiting, farmers)
    SELECT {RESTORE_KEYS}, FALSE, COUNT(*) FROM enrollment_farmer GROUP BY 1, 2, 3, 4;
"""


def _where_kept(sql):
    def run(apps, schema_editor):
        # As in 0007: only where the tally exists (PostgreSQL 15+).
        if schema_editor.connection.features.supports_nulls_distinct_unique_constraints:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0008_farmer_scope_index")]

    operations = [
        migrations.AddField(
            model_name="farmer",
            name="payment_waiting",
            field=models.BooleanField(db_default=False, default=False, editable=False, verbose_name="iuran menunggu konfirmasi"),
        ),
        migrations.AddField(model_name="farmertally", name="payment_waiting", field=models.BooleanField(default=False)),
        migrations.RunPython(_where_kept(RECOUNT_WITHOUT), _where_kept(RECOUNT_WITHOUT)),
        migrations.RemoveConstraint(model_name="farmertally", name="one_tally_per_kind"),
        migrations.AddConstraint(
            model_name="farmertally",
            constraint=models.UniqueConstraint(
                fields=("village", "registration_status", "paid_through", "anonymised", "payment_waiting"),
                name="one_tally_per_kind",
                nulls_distinct=False,
            ),
        ),
        migrations.RunPython(_where_kept(REPLACE + RECOUNT), _where_kept(RESTORE)),
    ]
