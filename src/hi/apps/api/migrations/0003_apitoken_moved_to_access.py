from django.db import migrations


class Migration(migrations.Migration):
    """ApiToken now lives in hi.apps.access (same table); forget it here without touching the database."""

    dependencies = [
        ("api", "0002_remove_apitoken_revoked_at"),
        ("access", "0002_apitoken_moved_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ApiToken")]),
    ]
