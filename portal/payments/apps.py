from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "portal.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from . import receivers
        from .kinds import register_all

        register_all()
        receivers.connect()
