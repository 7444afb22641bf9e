from django.db import migrations, models


def confirmed_when_the_outbox_says(apps, schema_editor):
    # Until now the moment of confirmation lived only on the gateway's outbox row.
    OutboxMessage = apps.get_model("bpjs_gateway", "OutboxMessage")
    Payment = apps.get_model("contributions", "Payment")
    done = OutboxMessage.objects.filter(operation="PAY", state="DONE", payment__isnull=False)
    for payment_id, completed_at in done.values_list("payment_id", "completed_at"):
        Payment.objects.filter(pk=payment_id, confirmed_at__isnull=True).update(confirmed_at=completed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0003_payment_history"),
        ("bpjs_gateway", "0002_outbox_resent_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dikonfirmasi BPJS pada"),
        ),
        migrations.AddField(
            model_name="historicalpayment",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dikonfirmasi BPJS pada"),
        ),
        migrations.RunPython(confirmed_when_the_outbox_says, migrations.RunPython.noop),
    ]
