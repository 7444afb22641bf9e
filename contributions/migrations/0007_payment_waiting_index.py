from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0006_payment_end_month"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(condition=models.Q(status="MENUNGGU"), fields=["farmer"], name="payment_waiting"),
        ),
    ]
