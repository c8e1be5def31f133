"""Notification channel URLs (Apprise URLs carry passwords and tokens) sealed at rest; existing ones sealed."""

import hi.utils.sealed
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('alarm', '0002_incidents_and_snapshots'),
    ]

    operations = [
        migrations.AlterField(
            model_name='channel',
            name='url',
            field=hi.utils.sealed.SealedTextField(),
        ),
        migrations.RunPython(*hi.utils.sealed.migration_operations("alarm", "Channel", "url")),
    ]
