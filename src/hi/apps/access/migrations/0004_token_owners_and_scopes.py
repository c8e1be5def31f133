from django.conf import settings
from django.db import migrations


def give_scopes(apps, schema_editor):
    """Existing tokens keep what their user could do: admin scope for staff/superusers, control for others.

    A token without a user (made by ``hi tokens create`` before tokens had owners) goes to the oldest active
    superuser or staff user, with admin scope; with no such user it stays ownerless and is refused.
    """
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    ApiToken = apps.get_model("access", "ApiToken")
    owner = (User.objects.filter(is_active=True, is_superuser=True).order_by("id").first()
             or User.objects.filter(is_active=True, is_staff=True).order_by("id").first())
    for token in ApiToken.objects.select_related("user"):
        if token.user is None and owner is not None:
            token.user = owner
            clash = ApiToken.objects.filter(user=owner, name=token.name).exclude(pk=token.pk).exists()
            if clash:
                token.name = f"{token.name} ({token.pk})"
        user = token.user
        token.name = token.name.strip() or f"token {token.pk}"
        token.scope = "admin" if user is None or user.is_superuser or user.is_staff else "control"
        token.save(update_fields=["user", "name", "scope"])


class Migration(migrations.Migration):
    """Data only (its own transaction: PostgreSQL refuses a schema change after row updates with deferred checks)."""

    dependencies = [
        ("access", "0003_token_scope_expiry"),
    ]

    operations = [
        migrations.RunPython(give_scopes, migrations.RunPython.noop),
    ]
