from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "portal.members"
    label = "members"
    verbose_name = _("Members and organisations")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added
        from django.db.models.signals import post_save

        from portal.notifications.kinds import Kind
        from portal.notifications.kinds import register as register_kind

        from . import schema  # noqa: F401 - registers the OpenAPI auth extension
        from .mfa import on_authenticator_added, on_role_granted
        from .models import RoleGrant

        authenticator_added.connect(on_authenticator_added, dispatch_uid="portal-mfa-enrolled")
        post_save.connect(on_role_granted, sender=RoleGrant, dispatch_uid="portal-mfa-role-granted")
        register_kind("staff_totp_reset", Kind(
            title=_("Set up two-factor authentication again"),
            body=_("You were given the role {role} at {organisation}. Staff powers need an authenticator set up with "
                   "a code sent to your email address, so the one you used as a member was removed. Sign in and set "
                   "up two-factor authentication again."),
        ))
        register_kind("id_number_claimed", Kind(
            title=_("Someone signed up with your resident ID number"),
            body=_("Dear {name}, a new account was just registered with the resident ID number of your membership. "
                   "If that was you, you already have an account: sign in with it instead. If it was not you, "
                   "tell your union."),
        ))
