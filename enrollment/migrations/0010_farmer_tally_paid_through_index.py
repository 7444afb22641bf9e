# A province's visit counts read a few months of lunas sampai from the tally (enrollment/models.py, FarmerTally).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0009_payment_waiting")]

    operations = [
        migrations.AddIndex(
            model_name="farmertally",
            index=models.Index(fields=["paid_through"], name="tally_paid_through"),
        ),
    ]
