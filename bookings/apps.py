from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        from . import (
            seat_hints,
            tasks,  # noqa: F401 - registers the tasks services queue by name (portal.queue)
        )
        from .kinds import register_all
        from .programme_kinds import register_all as register_programme_kinds
        from .stay_kinds import register_all as register_stay_kinds

        seat_hints.connect()
        register_all()
        register_stay_kinds()
        register_programme_kinds()
