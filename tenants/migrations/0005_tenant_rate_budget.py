from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0004_application_consent_and_governance_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="rate_quota",
            field=models.PositiveIntegerField(
                blank=True, null=True, help_text="Staff only: requests per window for all the tenant's credentials "
                "together. Empty: the plan's limit."),
        ),
        migrations.AddField(
            model_name="tenant",
            name="rate_window",
            field=models.PositiveIntegerField(blank=True, help_text="Seconds.", null=True),
        ),
        migrations.AddConstraint(
            model_name="tenant",
            constraint=models.CheckConstraint(
                condition=models.Q(("rate_quota__isnull", True), ("rate_window__isnull", True))
                | models.Q(("rate_quota__gt", 0), ("rate_window__gt", 0)),
                name="tenant_rate_budget_complete",
            ),
        ),
    ]
