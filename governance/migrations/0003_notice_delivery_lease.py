"""DeprecationNotice becomes a lease: claimed (sending) → sent, so a run that died after claiming
is resumed by a later one (see governance/services/notices.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_staff_groups")]

    operations = [
        migrations.AddField(
            model_name="deprecationnotice",
            name="status",
            field=models.CharField(
                choices=[("claimed", "Claimed (sending)"), ("sent", "Sent")], db_index=True, default="claimed",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="deprecationnotice", name="claimed_at", field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deprecationnotice", name="attempts", field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="deprecationnotice", name="sent_at", field=models.DateTimeField(blank=True, null=True),
        ),
    ]
