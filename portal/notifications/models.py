from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One in-app message; email and SMS copies are sent from it by a task."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.CASCADE,
                             related_name="messages")
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["user", "read_at"]),
                   # the delivery sweep scans a window of recent messages
                   models.Index(fields=["created_at"], name="message_created_at_idx")]

    def __str__(self) -> str:
        return self.title
