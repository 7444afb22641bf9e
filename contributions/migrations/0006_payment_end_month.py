import datetime as dt

from django.db import migrations, models


def add_months(month, count):
    # sutasoma.months.add_months, frozen here as a migration must be.
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def fill_end_month(apps, schema_editor):
    # One UPDATE per (start, months) pair, a few hundred at most, whatever the number of payments.
    for name in ("Payment", "HistoricalPayment"):
        model = apps.get_model("contributions", name)
        pairs = model.objects.order_by().values_list("start_month", "months").distinct()
        for start_month, months in list(pairs):
            model.objects.filter(start_month=start_month, months=months).update(
                end_month=add_months(start_month, months - 1)
            )


class Migration(migrations.Migration):

    dependencies = [
        ("contributions", "0005_payers_batches_deposits_reconciliation"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpayment",
            name="end_month",
            field=models.DateField(null=True, verbose_name="bulan terakhir"),
        ),
        migrations.AddField(
            model_name="payment",
            name="end_month",
            field=models.DateField(null=True, verbose_name="bulan terakhir"),
        ),
        migrations.RunPython(fill_end_month, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalpayment",
            name="end_month",
            field=models.DateField(verbose_name="bulan terakhir"),
        ),
        migrations.AlterField(
            model_name="payment",
            name="end_month",
            field=models.DateField(verbose_name="bulan terakhir"),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["paid_at"], name="payment_paid_at"),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("end_month__gte", models.F("start_month"))), name="ends_after_start"
            ),
        ),
    ]
