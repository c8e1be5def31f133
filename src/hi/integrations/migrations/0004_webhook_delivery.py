"""Signed webhook deliveries remembered for the replay window (hi.integrations.webhooks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0003_sealed_secrets'),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('signature', models.CharField(max_length=80)),
                ('received_at', models.DateTimeField(db_index=True)),
                ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='integrations.webhookendpoint')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('endpoint', 'signature'), name='unique_webhook_delivery')],
            },
        ),
    ]
