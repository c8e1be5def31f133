import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """ApiToken moves from the api app to this one (roles and tokens in one place); its table stays ``api_apitoken``.

    State only: the table exists (api 0001/0002); api 0003 forgets the model on its side.
    """

    dependencies = [
        ("access", "0001_initial"),
        ("api", "0002_remove_apitoken_revoked_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="ApiToken",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("name", models.CharField(max_length=100, unique=True)),
                    ("digest", models.CharField(max_length=64, unique=True)),
                    ("hint", models.CharField(help_text="the first characters, to tell tokens apart", max_length=12)),
                    ("created_at", models.DateTimeField(auto_now_add=True)),
                    ("last_used_at", models.DateTimeField(blank=True, null=True)),
                    ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                               related_name="api_tokens", to=settings.AUTH_USER_MODEL)),
                ],
                options={"ordering": ["name"], "db_table": "api_apitoken"},
            ),
        ]),
    ]
