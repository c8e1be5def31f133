from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0002_apitoken_moved_here'),
        ('api', '0003_apitoken_moved_to_access'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='apitoken',
            options={'ordering': ['name', 'id']},
        ),
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='scope',
            field=models.CharField(choices=[('read', 'read'), ('control', 'control'), ('admin', 'admin')], default='read', max_length=10),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='name',
            field=models.CharField(max_length=100),
        ),
    ]
