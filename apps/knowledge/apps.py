from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "apps.knowledge"
    verbose_name = "Knowledge"

    def ready(self):
        from . import signals

        signals.connect()
