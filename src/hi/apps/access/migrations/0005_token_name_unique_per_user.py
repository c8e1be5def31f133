from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("access", "0004_token_owners_and_scopes"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.UniqueConstraint(fields=("user", "name"), name="api_token_name_unique_per_user"),
        ),
    ]
