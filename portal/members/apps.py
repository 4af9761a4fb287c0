from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "portal.members"
    label = "members"
    verbose_name = _("Members and organisations")

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI auth extension
