"""The platform staff groups and the model permissions each gives (see governance/permissions.py).

Object rights on one API (own_api, review_api) are django-guardian object permissions granted per
API, not here."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GOVERNANCE_MODELS = [
    "api", "apiversion", "specrevision", "review", "finding", "waiver", "deprecationschedule",
    "brownoutwindow", "deprecationexemption", "deprecationnotice", "migrationledgerentry",
    "webhookendpoint", "webhookdelivery",
]


def _codenames(models, verbs):
    return [f"{verb}_{model}" for model in models for verb in verbs]


GROUPS = {
    "Platform admins": _codenames(GOVERNANCE_MODELS, ["add", "change", "delete", "view"]),
    "API owners": [
        *_codenames(GOVERNANCE_MODELS, ["view"]),
        *_codenames(["api", "apiversion", "deprecationschedule", "brownoutwindow", "deprecationexemption"],
                    ["add", "change"]),
        "add_specrevision", "add_review", "change_review",
    ],
    "Governance reviewers": [
        *_codenames(["api", "apiversion", "specrevision", "review", "finding", "waiver"], ["view"]),
        "change_review", "add_waiver", "change_waiver",
    ],
    "Support": _codenames(GOVERNANCE_MODELS, ["view"]),
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; make sure they exist now.
    app_config = apps.get_app_config("governance")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="governance", codename__in=codenames)
        group.permissions.add(*perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
