"""The rollup triggers (enrollment 0007/0009, monitoring 0004) run without PostgreSQL's JIT.

Their queries read transition tables, whose size the planner cannot know, and expand payments
into months with generate_series (estimated at 1.000 rows a call): the estimated cost passes
jit_above_cost on every statement, however few rows it touched, and compiling the plan took
1,4 s for an import batch of 500 farmers, and about as long for a single registration or payment,
against 40 ms to run it (docs/architecture.md#figures-at-scale).
"""

from django.db import migrations

FUNCTIONS = [
    "enrollment_farmer_tally()",
    *(f"monitoring_monev_{table}_{op}()" for table in ("farmers", "payments") for op in ("insert", "update", "delete")),
]


def _set(value: str):
    def run(apps, schema_editor):
        # Only where the triggers exist (PostgreSQL 15+, as in 0004).
        if schema_editor.connection.features.supports_nulls_distinct_unique_constraints:
            schema_editor.execute("".join(f"ALTER FUNCTION {function} {value};" for function in FUNCTIONS))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0010_farmer_tally_paid_through_index"),
        ("monitoring", "0004_monev_tally_triggers"),
    ]

    operations = [migrations.RunPython(_set("SET jit = off"), _set("RESET jit"))]
