from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "portal.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the tasks services queue by name (portal.queue)
