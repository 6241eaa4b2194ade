from django.apps import AppConfig


class OmbudsmanConfig(AppConfig):
    name = "ombudsman"
    verbose_name = "Ombudsman (ADR)"

    def ready(self):
        # Register the letter and sweep tasks in every process (web included), so on-commit
        # hooks can enqueue them by name; Celery's autodiscovery runs only in workers.
        from ombudsman import tasks  # noqa: F401
