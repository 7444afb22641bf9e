from django.db import migrations, models

KEYS = "village_id, registration_status, paid_through, anonymised_at IS NOT NULL, payment_waiting"
# 0007's keys, for going back.
RESTORE_KEYS = "village_id, registration_status, paid_through, anonymised_at IS NOT NULL"


def _tally_function(keys: str, columns: str) -> str:
    """0007's trigger function over other keys (`keys` of the farmers, the tally's `columns`)."""
    n = len(columns.split(","))
    k = ", ".join(f"k{i}" for i in range(1, n + 1))
    by = ", ".join(str(i) for i in range(1, n + 1))
    return f"""
CREATE OR REPLACE FUNCTION enrollment_farmer_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT {keys}, 1 FROM new_farmers'
        WHEN 'DELETE' THEN 'SELECT {keys}, -1 FROM old_farmers'
        ELSE 'SELECT {keys}, 1 FROM new_farmers UNION ALL SELECT {keys}, -1 FROM old_farmers'
    END;
BEGIN
    EXECUTE 'INSERT INTO enrollment_farmertally ({columns}, farmers)
        SELECT {k}, SUM(change) FROM (' || changes || ') AS c ({k}, change)
        GROUP BY {by} HAVING SUM(change) <> 0 ORDER BY {by}
        ON CONFLICT ({columns})
        DO UPDATE SET farmers = enrollment_farmertally.farmers + EXCLUDED.farmers';
    RETURN NULL;
END
$$;
"""


# The tally of migration 0007 with one more key: whether a payment of the farmer waits for the
# insurer (the visit list leaves those farmers out). Same function, same triggers.
REPLACE = _tally_function(KEYS, "village_id, registration_status, paid_through, anonymised, payment_waiting")
RESTORE = _tally_function(RESTORE_KEYS, "village_id, registration_status, paid_through, anonymised")
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
