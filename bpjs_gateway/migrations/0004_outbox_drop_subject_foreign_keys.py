from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bpjs_gateway", "0003_outbox_subject_without_foreign_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="subject_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.RemoveField(model_name="outboxmessage", name="farmer"),
        migrations.RemoveField(model_name="outboxmessage", name="payment"),
        migrations.AlterField(
            model_name="outboxmessage",
            name="operation",
            field=models.CharField(max_length=32),
        ),
        migrations.AlterField(
            model_name="requestlog",
            name="operation",
            field=models.CharField(max_length=32),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="state",
            field=models.CharField(
                choices=[
                    ("WAITING", "Menunggu syarat"),
                    ("PENDING", "Menunggu kirim"),
                    ("SENDING", "Sedang dikirim"),
                    ("DONE", "Berhasil"),
                    ("FAILED", "Ditolak BPJS"),
                    ("RESENT", "Sudah dikirim ulang"),
                ],
                default="PENDING",
                max_length=8,
            ),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(fields=["operation", "subject_id"], name="outbox_subject"),
        ),
    ]
