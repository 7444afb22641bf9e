from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bpjs_gateway", "0005_outbox_content_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="requestlog",
            name="released",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
