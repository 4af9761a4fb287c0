from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("Facilities")

    def ready(self) -> None:
        from portal.uploads import delete_files_with_rows

        from . import room_cache
        from .models import FacilityPhoto, RoomTypePhoto

        room_cache.connect()

        # A photo's file goes when its row does, whichever way (service, facility cascade, admin), after commit.
        delete_files_with_rows(FacilityPhoto, "image")
        delete_files_with_rows(RoomTypePhoto, "image")
