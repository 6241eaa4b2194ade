from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints"

    def ready(self):
        # Register the outbox tasks in every process (web included), so on-commit
        # hooks can enqueue them by name; Celery's autodiscovery runs only in workers.
        from complaints import tasks  # noqa: F401
