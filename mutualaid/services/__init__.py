"""Every write of mutual aid (except the roster import, mutualaid.roster), split by concern; import from here."""

from .claims import (
    claim_approve,
    claim_documents_add,
    claim_mark_paid,
    claim_reject,
    claim_request_info,
    claim_submit,
)
from .enrolment import (
    cover_start,
    enrolment_cancel,
    enrolment_create,
    enrolment_mark_paid,
    enrolment_release,
    enrolments_expire_due,
    is_renewal,
    record_insured_service,
    renewal_reminders_send,
)
from .schemes import loss_ratio_check, scheme_create, scheme_set_status, scheme_update

__all__ = [
    "claim_approve", "claim_documents_add", "claim_mark_paid", "claim_reject", "claim_request_info", "claim_submit",
    "cover_start", "enrolment_cancel", "enrolment_create", "enrolment_mark_paid", "enrolment_release",
    "enrolments_expire_due", "is_renewal", "loss_ratio_check", "record_insured_service", "renewal_reminders_send",
    "scheme_create", "scheme_set_status", "scheme_update",
]
