from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "portal.members"
    label = "members"
    verbose_name = _("Members and organisations")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from portal.notifications.kinds import Kind
        from portal.notifications.kinds import register as register_kind

        from . import schema  # noqa: F401 - registers the OpenAPI auth extension
        from .mfa import on_authenticator_added

        authenticator_added.connect(on_authenticator_added, dispatch_uid="portal-mfa-enrolled")
        register_kind("id_number_claimed", Kind(
            title=_("Someone signed up with your resident ID number"),
            body=_("Dear {name}, a new account was just registered with the resident ID number of your membership. "
                   "If that was you, you already have an account: sign in with it instead. If it was not you, "
                   "tell your union."),
        ))
