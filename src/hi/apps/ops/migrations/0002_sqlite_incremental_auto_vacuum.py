"""Turn on SQLite's incremental auto_vacuum, so pruned history gives its pages back to the disk.

On an existing database the setting only takes effect after a full VACUUM, which rewrites the file.
That is instant on a new or small database, so this migration does it there; on a database larger
than HI_VACUUM_ON_MIGRATE_MAX_MB (default 512) it leaves the file alone so an upgrade never stalls,
and ``hi doctor`` then says to run ``hi vacuum`` while the hub is stopped. PostgreSQL: nothing to do.
"""

from pathlib import Path

from django.conf import settings
from django.db import migrations


def enable_incremental_auto_vacuum(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA auto_vacuum")
        if int(cursor.fetchone()[0]) == 2:
            return
        name = str(connection.settings_dict["NAME"])
        limit_mb = float(getattr(settings, "HI_VACUUM_ON_MIGRATE_MAX_MB", 512))  # checked in hi.settings.base
        size = Path(name).stat().st_size if Path(name).is_file() else 0
        if size > limit_mb * 1024 * 1024:
            return
        cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")
        if connection.in_atomic_block:  # VACUUM cannot run inside a transaction; doctor reports it
            return
        cursor.execute("VACUUM")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("ops", "0001_initial")]

    operations = [migrations.RunPython(enable_incremental_auto_vacuum, migrations.RunPython.noop, atomic=False)]
