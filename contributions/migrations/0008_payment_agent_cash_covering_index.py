from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("contributions", "0007_payment_waiting_index")]

    operations = [
        migrations.RemoveIndex(model_name="payment", name="payment_agent_cash"),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                fields=["recorded_by", "source", "paid_at", "id"], include=["amount"], name="payment_agent_cash_amount"
            ),
        ),
    ]
