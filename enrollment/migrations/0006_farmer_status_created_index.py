from django.db import migrations, models


class Migration(migrations.Migration):
    """Its own migration, apart from the search indexes, so two branches adding Farmer indexes
    merge without editing one file."""

    dependencies = [
        ("enrollment", "0005_import_job"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="farmer",
            index=models.Index(fields=["registration_status", "created_at"], name="farmer_status_created"),
        ),
        migrations.AddIndex(
            model_name="farmer",
            index=models.Index(fields=["registration_status", "updated_at"], name="farmer_status_updated"),
        ),
    ]
