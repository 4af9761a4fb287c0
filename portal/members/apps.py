from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "portal.members"
    label = "members"
    verbose_name = _("Members and organisations")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from . import schema  # noqa: F401 - registers the OpenAPI auth extension
        from .mfa import on_authenticator_added

        authenticator_added.connect(on_authenticator_added, dispatch_uid="portal-mfa-enrolled")
