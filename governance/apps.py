from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "API governance"

    def ready(self):
        from governance import enforcement

        enforcement.connect_signals()  # changes to versions and schedules invalidate the lifecycle table
