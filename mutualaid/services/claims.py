"""Claims: submission with documents, answering a request for more, and the officer's review (request more,
approve with an amount, reject, mark paid). Every step is a ClaimStep the member sees and a notification.

Money rules: the suggested payout comes from mutualaid.benefits; an approved amount may differ from it (with a
reason) but never exceeds the cap per claim nor what is left of the cap per term. Approvals of claims under
the same enrolment are serialised by a row lock on the enrolment, so two officers approving at once cannot
pass the term cap together. Status moves are conditional UPDATEs: a claim changed meanwhile is a 409.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.constraints import constraint_name, integrity_error
from portal.errors import Conflict
from portal.notifications.services import notify
from portal.uploads import MAX_PDF_BYTES, Visibility, accept_document, store_upload

from .. import benefits, selectors
from ..models import (
    COVERING_STATUSES,
    OPEN_CLAIM_STATUSES,
    Claim,
    ClaimAction,
    ClaimDocument,
    ClaimStatus,
    ClaimStep,
    DocumentKind,
    Enrolment,
    EventType,
)
from ._common import fen_label, local_today, now
from .schemes import loss_ratio_check

MAX_DOCUMENTS = 10
MAX_DOCUMENT_BYTES = MAX_PDF_BYTES  # 10 MB each; a 50 MB photo is refused before anything is written
EVENT_DATE_FIELD = {EventType.HOSPITALISATION: "admission_on", EventType.CRITICAL_ILLNESS: "diagnosis_on",
                    EventType.ACCIDENT: "accident_on"}


def _accept_documents(documents) -> list:
    """Check every file first (type by content, size, re-encoding); a bad one refuses the whole request."""
    if len(documents) > MAX_DOCUMENTS:
        raise ValidationError({"documents": [_("Attach at most %(n)d documents.") % {"n": MAX_DOCUMENTS}]})
    accepted = []
    for item in documents:
        upload, kind = item if isinstance(item, tuple) else (item, DocumentKind.OTHER)
        accepted.append((accept_document(upload, max_bytes=MAX_DOCUMENT_BYTES, field="documents"), kind))
    return accepted


def _store_documents(stack: ExitStack, claim: Claim, accepted: list) -> None:
    for document, kind in accepted:
        stored = stack.enter_context(store_upload(document, directory="claims", visibility=Visibility.PRIVATE))
        ClaimDocument.objects.create(claim=claim, kind=kind, file=stored.name, content_type=stored.content_type,
                                     size=stored.size, original_name=document.original_name[:150])


def _event_date(event_type: str, dates: dict) -> date:
    field = EVENT_DATE_FIELD[event_type]
    day = dates.get(field)
    if day is None:
        raise ValidationError({field: [_("Enter this date for this kind of event.")]})
    if day > local_today():
        raise ValidationError({field: [_("This date is in the future.")]})
    return day


def _suggestion(enrolment: Enrolment, claim_fields: dict, *, exclude_claim_id: int | None = None):
    event = benefits.Event(
        event_type=claim_fields["event_type"], event_on=claim_fields["event_on"],
        amount_claimed_fen=claim_fields["amount_claimed_fen"], admission_on=claim_fields.get("admission_on"),
        discharge_on=claim_fields.get("discharge_on"),
        eligible_amount_fen=claim_fields.get("eligible_amount_fen") or 0, illness=claim_fields.get("illness", ""),
        injury_class=claim_fields.get("injury_class", ""))
    return benefits.suggest(
        enrolment.scheme, shares=enrolment.shares, cover_starts_on=enrolment.cover_starts_on, event=event,
        paid_this_term_fen=selectors.paid_this_term_fen(enrolment_id=enrolment.pk,
                                                        exclude_claim_id=exclude_claim_id))


def _context(claim: Claim, **extra) -> dict:
    return {"claim": claim.pk, "scheme": claim.enrolment.scheme.title, **extra}


def _link(claim: Claim) -> str:
    return reverse("frontend:aid_claim_detail", args=[claim.pk])


def claim_submit(*, member, enrolment_id: int, event_type: str, amount_claimed_fen: int, bank_name: str,
                 bank_account: str, documents: list, admission_on: date | None = None,
                 discharge_on: date | None = None, diagnosis_on: date | None = None,
                 accident_on: date | None = None, eligible_amount_fen: int = 0, illness: str = "",
                 injury_class: str = "") -> Claim:
    """A member claims under their own enrolment (anybody else's is NotFound). The rules suggest a payout
    with its working at once; an event before cover or outside the term is accepted with a zero suggestion
    and the reason in the working (the officer decides), the same event twice is refused."""
    enrolment = selectors.enrolment_get(member=member, enrolment_id=enrolment_id)
    if enrolment.status not in COVERING_STATUSES:
        raise Conflict(_("This enrolment is not active, so it cannot be claimed on."), code="not_active")
    if event_type not in EVENT_DATE_FIELD:
        raise ValidationError({"event_type": [_("Choose the kind of event.")]})
    dates = {"admission_on": admission_on, "discharge_on": discharge_on, "diagnosis_on": diagnosis_on,
             "accident_on": accident_on}
    event_on = _event_date(event_type, dates)
    if admission_on and discharge_on and discharge_on < admission_on:
        raise ValidationError({"discharge_on": [_("The discharge date cannot be before the admission date.")]})
    account = "".join((bank_account or "").split())
    if not account.isdigit() or not 8 <= len(account) <= 30:
        raise ValidationError({"bank_account": [_("Enter the account number: 8 to 30 digits.")]})
    if not documents:
        raise ValidationError({"documents": [_("Attach at least one document (a photo or a PDF).")]})
    if selectors.event_claimed(enrolment_id=enrolment.pk, event_type=event_type, event_on=event_on):
        raise Conflict(_("This event has already been claimed."), code="duplicate_event")
    accepted = _accept_documents(documents)
    fields = {"event_type": event_type, "event_on": event_on, "amount_claimed_fen": amount_claimed_fen,
              "eligible_amount_fen": eligible_amount_fen, "illness": illness.strip(),
              "injury_class": injury_class.strip(), **dates}
    suggestion = _suggestion(enrolment, fields)
    try:
        with ExitStack() as stack:
            with transaction.atomic():
                claim = Claim.objects.create(
                    enrolment=enrolment, **fields, currency=enrolment.currency, bank_name=bank_name.strip(),
                    bank_account=account, bank_account_last4=account[-4:],
                    suggested_payout_fen=suggestion.amount_fen, working=suggestion.working)
                ClaimStep.objects.create(claim=claim, actor=member.user, action=ClaimAction.SUBMITTED)
                _store_documents(stack, claim, accepted)
    except IntegrityError as exc:
        if constraint_name(exc) == "uniq_claim_event_per_enrolment":
            raise Conflict(_("This event has already been claimed."), code="duplicate_event") from None
        raise integrity_error(exc) or exc from None
    claim.enrolment = enrolment
    notify(user=member.user, kind="mutualaid_claim_received", context=_context(claim), link=_link(claim))
    return claim


def claim_documents_add(*, member, claim_id: int, documents: list, message: str = "") -> Claim:
    """The member answers a request for more: new documents (and a note); the claim returns to the queue."""
    claim = selectors.claim_get(member=member, claim_id=claim_id)
    if claim.status not in OPEN_CLAIM_STATUSES:
        raise Conflict(_("This claim has been decided; documents can no longer be added."), code="decided")
    if not documents:
        raise ValidationError({"documents": [_("Attach at least one document (a photo or a PDF).")]})
    if claim.documents.count() + len(documents) > MAX_DOCUMENTS * 2:
        raise ValidationError({"documents": [_("This claim already has the most documents it can hold.")]})
    accepted = _accept_documents(documents)
    with ExitStack() as stack:
        with transaction.atomic():
            if not Claim.objects.filter(pk=claim.pk, status__in=OPEN_CLAIM_STATUSES).update(
                    status=ClaimStatus.SUBMITTED, updated_at=now()):
                raise Conflict(_("This claim changed meanwhile; reload and try again."), code="changed")
            ClaimStep.objects.create(claim=claim, actor=member.user, action=ClaimAction.DOCUMENTS_ADDED,
                                     message=(message or "").strip()[:2000])
            _store_documents(stack, claim, accepted)
    return selectors.claim_get(member=member, claim_id=claim.pk)


def _move(claim: Claim, *, actor, to: str, action: str, message: str = "", allowed=OPEN_CLAIM_STATUSES,
          **fields) -> None:
    if not Claim.objects.filter(pk=claim.pk, status__in=allowed).update(status=to, updated_at=now(), **fields):
        raise Conflict(_("This claim changed meanwhile; reload and try again."), code="changed")
    ClaimStep.objects.create(claim=claim, actor=actor, action=action, message=message)


def _required(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    return text


def claim_request_info(*, actor, claim_id: int, message: str) -> Claim:
    claim = selectors.claim_get_for_staff(actor=actor, claim_id=claim_id)
    message = _required(message, "message", _("Say what the member should send."))
    with transaction.atomic():
        _move(claim, actor=actor, to=ClaimStatus.MORE_INFO, action=ClaimAction.MORE_INFO, message=message,
              allowed=(ClaimStatus.SUBMITTED,))
    notify(user=claim.enrolment.member.user, kind="mutualaid_claim_more_info", link=_link(claim),
           context=_context(claim, message=message))
    return selectors.claim_get_for_staff(actor=actor, claim_id=claim.pk)


def claim_approve(*, actor, claim_id: int, amount_fen: int | None = None, reason: str = "") -> Claim:
    """Approve with the suggested amount, or another one with a reason; never above the caps."""
    claim = selectors.claim_get_for_staff(actor=actor, claim_id=claim_id)
    reason = (reason or "").strip()
    with transaction.atomic():
        # Serialises approvals under this enrolment (the term cap is shared by its claims).
        enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("scheme").get(
            pk=claim.enrolment_id)
        fields = {f: getattr(claim, f) for f in ("event_type", "event_on", "amount_claimed_fen", "admission_on",
                                                 "discharge_on", "eligible_amount_fen", "illness",
                                                 "injury_class")}
        suggestion = _suggestion(enrolment, fields, exclude_claim_id=claim.pk)
        amount = suggestion.amount_fen if amount_fen is None else amount_fen
        if amount <= 0:
            raise ValidationError({"amount_fen": [_("Enter an amount above zero, or reject the claim.")]})
        paid = selectors.paid_this_term_fen(enrolment_id=enrolment.pk, exclude_claim_id=claim.pk)
        limit = min(enrolment.scheme.cap_per_claim_fen * enrolment.shares,
                    enrolment.scheme.cap_per_term_fen * enrolment.shares - paid)
        if amount > limit:
            raise ValidationError({"amount_fen": [_("At most %(limit)s can be paid on this claim (the caps per "
                                                    "claim and per term).") % {"limit": fen_label(max(0, limit))}]})
        if amount != suggestion.amount_fen and not reason:
            raise ValidationError({"reason": [_("Say why the amount differs from the suggested %(s)s.") % {
                "s": fen_label(suggestion.amount_fen)}]})
        _move(claim, actor=actor, to=ClaimStatus.APPROVED, action=ClaimAction.APPROVED, message=reason,
              approved_amount_fen=amount, decision_reason=reason, decided_by=actor, decided_at=now(),
              suggested_payout_fen=suggestion.amount_fen, working=suggestion.working)
    notify(user=claim.enrolment.member.user, kind="mutualaid_claim_approved", link=_link(claim),
           context=_context(claim, amount=fen_label(amount), reason=reason))
    return selectors.claim_get_for_staff(actor=actor, claim_id=claim.pk)


def claim_reject(*, actor, claim_id: int, reason: str) -> Claim:
    claim = selectors.claim_get_for_staff(actor=actor, claim_id=claim_id)
    reason = _required(reason, "reason", _("Say why the claim is rejected."))[:500]
    with transaction.atomic():
        _move(claim, actor=actor, to=ClaimStatus.REJECTED, action=ClaimAction.REJECTED, message=reason,
              decision_reason=reason, decided_by=actor, decided_at=now())
    notify(user=claim.enrolment.member.user, kind="mutualaid_claim_rejected", link=_link(claim),
           context=_context(claim, reason=reason))
    return selectors.claim_get_for_staff(actor=actor, claim_id=claim.pk)


def claim_mark_paid(*, actor, claim_id: int, payout_reference: str) -> Claim:
    claim = selectors.claim_get_for_staff(actor=actor, claim_id=claim_id)
    reference = _required(payout_reference, "payout_reference", _("Enter the payout reference."))[:100]
    with transaction.atomic():
        _move(claim, actor=actor, to=ClaimStatus.PAID, action=ClaimAction.PAID, message=reference,
              allowed=(ClaimStatus.APPROVED,), payout_reference=reference, paid_at=now())
    notify(user=claim.enrolment.member.user, kind="mutualaid_claim_paid", link=_link(claim),
           context=_context(claim, amount=fen_label(claim.approved_amount_fen or 0),
                            account=claim.bank_account_masked, reference=reference))
    loss_ratio_check(scheme_id=claim.enrolment.scheme_id)
    return selectors.claim_get_for_staff(actor=actor, claim_id=claim.pk)
