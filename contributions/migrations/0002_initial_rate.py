import datetime

from django.db import migrations


def add_rate(apps, schema_editor):
    Rate = apps.get_model("contributions", "Rate")
    Rate.objects.get_or_create(
        valid_from=datetime.date(2015, 7, 1),
        defaults={"jkk_basis_points": 100, "jkm_amount": 6_800, "jht_basis_points": 200,
                  "regulation": "PP 44/2015 jo. PP 82/2019: BPU JKK 1% penghasilan, JKM Rp 6.800"},
    )


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]
    operations = [migrations.RunPython(add_rate, migrations.RunPython.noop)]
