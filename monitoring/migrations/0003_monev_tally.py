"""The monev rollup's tables (monitoring.models.MonevTally, CollectedTally); 0004 keeps them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_agent_moved_in"),
        ("monitoring", "0002_exportjob"),
        ("wilayah", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CollectedTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField()),
                ("source", models.CharField(max_length=10)),
                ("amount", models.BigIntegerField()),
                ("months", models.IntegerField()),
                (
                    "agent",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.agent",
                    ),
                ),
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
                        fields=("village", "agent", "month", "source"), name="one_collected_tally", nulls_distinct=False
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MonevTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("registered", models.BooleanField()),
                ("month", models.DateField()),
                ("created", models.IntegerField()),
                ("new_registrations", models.IntegerField()),
                ("active", models.IntegerField()),
                ("counted", models.IntegerField()),
                (
                    "agent",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.agent",
                    ),
                ),
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
                        fields=("village", "agent", "registered", "month"), name="one_monev_tally", nulls_distinct=False
                    )
                ],
            },
        ),
    ]
