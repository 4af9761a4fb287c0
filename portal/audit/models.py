"""The audit log: who did what to which object, when, from where. Rows are only ever added."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_CONSOLE = "login_console", _("Signed in to the staff console")
    LOGIN_ADMIN = "login_admin", _("Signed in to the administration")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    ACCESS_DENIED = "access_denied", _("Refused access")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    WRITE = "write", _("Other change")
    VIEW_PERSONAL_RECORD = "view_personal_record", _("Opened a member's record")
    EXPORT = "export", _("Download or export")


class AuditEvent(models.Model):
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("who"))
    # Snapshots at the time of the event, so the record survives later changes to the account or its grants.
    actor_label = models.CharField(_("account"), max_length=254, blank=True)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    actor_organisation = models.ForeignKey("members.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+", verbose_name=_("acting for"))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=24, choices=AuditAction.choices)
    route = models.CharField(_("route"), max_length=120, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The union the object belongs to: staff see the events of their subtrees (permissions.scope).
    organisation = models.ForeignKey("members.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("union"))
    change = models.JSONField(_("change"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "action"], name="audit_object_idx"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action} {self.object_repr}"
