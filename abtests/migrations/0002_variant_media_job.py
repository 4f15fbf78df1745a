from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("abtests", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediaabtestvariant",
            name="media_job_id",
            field=models.CharField(blank=True, max_length=40),
        ),
    ]
