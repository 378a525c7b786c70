"""The version of the pepper each key's digest is under (versioned peppers, settings.APIKEY_PEPPERS).

Every existing row was made under APIKEY_PEPPER, which is version 1: the column is added with that
default, whatever the current version of the deployment that migrates. New rows then default to the
current version. The constant default fills the column in the ALTER itself: no backfill of rows."""

from django.db import migrations, models

import apikeys.keys


class Migration(migrations.Migration):
    dependencies = [
        ("apikeys", "0002_revoked_reason_member_removed"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="pepper_version",
            field=models.PositiveSmallIntegerField(default=1, editable=False),
        ),
        migrations.AlterField(
            model_name="apikey",
            name="pepper_version",
            field=models.PositiveSmallIntegerField(default=apikeys.keys.current_pepper_version, editable=False),
        ),
    ]
