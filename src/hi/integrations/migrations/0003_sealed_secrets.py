"""Integration settings and webhook secrets sealed at rest (hi.utils.sealed); existing plain values sealed."""

import hi.utils.sealed
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0002_webhook_endpoint'),
    ]

    operations = [
        migrations.AlterField(
            model_name='integrationattribute',
            name='value',
            field=hi.utils.sealed.SealedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='webhookendpoint',
            name='secret',
            field=hi.utils.sealed.SealedTextField(),
        ),
        migrations.RunPython(*hi.utils.sealed.migration_operations("integrations", "IntegrationAttribute", "value")),
        migrations.RunPython(*hi.utils.sealed.migration_operations("integrations", "WebhookEndpoint", "secret")),
    ]
