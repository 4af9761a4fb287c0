from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualaidConfig(AppConfig):
    name = "mutualaid"
    verbose_name = _("Mutual aid")

    def ready(self) -> None:
        from portal.uploads import delete_files_with_rows

        from . import cover_tasks, tasks  # noqa: F401 - registers the tasks services queue by name (portal.queue)
        from .kinds import register_all
        from .models import ClaimDocument

        register_all()
        delete_files_with_rows(ClaimDocument, "file")
