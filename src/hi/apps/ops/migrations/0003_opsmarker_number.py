"""A marker can hold a row id: how far sensor history has been read into the aggregates."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0002_sqlite_incremental_auto_vacuum"),
    ]

    operations = [
        migrations.AddField(
            model_name="opsmarker",
            name="number",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
