"""The outbox row names its subject by operation and pk instead of one foreign key per
operation (docs/architecture.md#outbox), and a payment waiting for its farmer's KPJ is WAITING
with no body instead of PENDING with none. The data moves here; 0004 drops the foreign keys
(PostgreSQL will not alter a table with deferred constraint checks pending in one transaction)."""

import json

from django.db import migrations, models


def subject_from_foreign_keys(apps, schema_editor):
    OutboxMessage = apps.get_model("bpjs_gateway", "OutboxMessage")
    OutboxMessage.objects.filter(operation="REGISTER").update(subject_id=models.F("farmer_id"))
    OutboxMessage.objects.filter(operation="PAY").update(subject_id=models.F("payment_id"))


def payments_without_a_body(apps, schema_editor):
    # Their body used to be built at the first attempt, once the farmer had a KPJ. Now it is
    # given when the message is released; build it here for those whose KPJ is already known,
    # with the fields the payment operation sends at this version (contributions/insurer.py).
    from django.utils import timezone

    OutboxMessage = apps.get_model("bpjs_gateway", "OutboxMessage")
    Payment = apps.get_model("contributions", "Payment")
    for message in OutboxMessage.objects.filter(operation="PAY", body__isnull=True, state="PENDING"):
        payment = Payment.objects.select_related("farmer").get(pk=message.subject_id)
        if not payment.farmer.kpj:
            message.state = "WAITING"
        else:
            message.body = json.dumps(
                {
                    "kpj": payment.farmer.kpj,
                    "bulan_mulai": f"{payment.start_month:%Y-%m}",
                    "jumlah_bulan": payment.months,
                    "nominal": payment.amount,
                    "tanggal_bayar": timezone.localtime(payment.paid_at).isoformat(timespec="seconds"),
                    "ref_kanal": payment.receipt_no,
                    "sumber_dana": payment.source,
                },
                separators=(",", ":"),
                ensure_ascii=False,
                sort_keys=True,
            ).encode()
        message.save(update_fields=["state", "body"])


class Migration(migrations.Migration):
    dependencies = [
        ("bpjs_gateway", "0002_outbox_resent_state"),
        ("contributions", "0004_payment_confirmed_at"),
        ("enrollment", "0003_reference_data_and_agent_moved_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="subject_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.RunPython(subject_from_foreign_keys, migrations.RunPython.noop),
        migrations.RunPython(payments_without_a_body, migrations.RunPython.noop),
    ]
