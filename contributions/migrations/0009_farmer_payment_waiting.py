from django.db import migrations

# Farmers whose payment waits for the insurer, marked once from the payments (enrollment 0009
# added the flag; contributions/insurer.py keeps it from here on). The tally's
# trigger counts the marked farmers again.
MARK = """
UPDATE enrollment_farmer SET payment_waiting = TRUE
WHERE id IN (SELECT farmer_id FROM contributions_payment WHERE status = 'MENUNGGU')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0008_payment_agent_cash_covering_index"),
        ("enrollment", "0009_payment_waiting"),
    ]

    operations = [migrations.RunSQL(MARK, migrations.RunSQL.noop)]
