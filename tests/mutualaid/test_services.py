"""Enrolment, payment, claims and review through the services, with the database as the judge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from mutualaid import services
from mutualaid.models import Claim, ClaimStatus, Enrolment, EnrolmentStatus, SchemeKind
from mutualaid.selectors import local_today, scheme_dashboard
from portal.errors import Conflict, NotFound, NotPermitted
from portal.notifications.models import Message
from portal.payments.models import Payment
from portal.stats.models import ServiceRecord
from tests import factories

from .aid import *  # noqa: F403
from .aid import active_enrolment, hospital_claim, make_scheme, pdf_file

pytestmark = pytest.mark.django_db


def test_enrolment_awaits_payment_then_activates_once_with_one_service_record(member, inpatient):
    enrolment = services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=2)
    assert enrolment.status == EnrolmentStatus.PENDING_PAYMENT and enrolment.amount_fen == 6000
    payment = Payment.objects.get(enrolment=enrolment)
    assert payment.member_share_fen == 6000
    assert services.enrolment_mark_paid(enrolment_id=enrolment.pk) == "activated"
    assert services.enrolment_mark_paid(enrolment_id=enrolment.pk) == "already"  # a retried hook
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    record = ServiceRecord.objects.get()
    assert (record.kind, record.persons, record.date) == ("mutual_aid", 1, enrolment.cover_starts_on)
    assert Message.objects.filter(user=member.user, kind="mutualaid_enrolment_active").count() == 1


def test_union_funded_scheme_is_active_at_once_without_a_payment(member, orgs):
    scheme = make_scheme(orgs["city"], union_funded=True, contribution_fen=0)
    enrolment = services.enrolment_create(member=member, scheme_id=scheme.pk, shares=1)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert not Payment.objects.exists()
    assert ServiceRecord.objects.count() == 1


def test_cover_starts_after_the_waiting_period_but_a_renewal_has_none(member, orgs):
    today = local_today()
    last = make_scheme(orgs["city"], term_start=today - timedelta(days=400),
                       term_end=today - timedelta(days=36), enrolment_opens_on=today - timedelta(days=420),
                       enrolment_closes_on=today - timedelta(days=380))
    Enrolment.objects.create(scheme=last, member=member, shares=1, status=EnrolmentStatus.EXPIRED,
                             cover_starts_on=last.term_start, amount_fen=3000)
    this = make_scheme(orgs["city"], term_start=today - timedelta(days=35), waiting_period_days=90)
    renewal = services.enrolment_create(member=member, scheme_id=this.pk, shares=1)
    assert renewal.renewal and renewal.cover_starts_on == this.term_start
    gap = make_scheme(orgs["city"], kind=SchemeKind.ACCIDENT, waiting_period_days=90)
    new = services.enrolment_create(member=member, scheme_id=gap.pk, shares=1)
    assert not new.renewal and new.cover_starts_on == today + timedelta(days=90)


def test_bad_enrolments_say_why_and_write_nothing(member, inpatient, orgs, spouse):
    with pytest.raises(ValidationError) as exc:
        services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=6)
    assert "shares" in exc.value.message_dict
    closed = make_scheme(orgs["city"], enrolment_opens_on=local_today() - timedelta(days=60),
                         enrolment_closes_on=local_today() - timedelta(days=1))
    with pytest.raises(Conflict) as conflict:
        services.enrolment_create(member=member, scheme_id=closed.pk, shares=1)
    assert conflict.value.code == "window"
    young = make_scheme(orgs["city"], min_age=16, max_age=30)
    spouse.birth_date = date(1960, 1, 1)
    spouse.save()
    with pytest.raises(ValidationError) as exc:
        services.enrolment_create(member=member, scheme_id=young.pk, shares=1, dependant_id=spouse.pk)
    assert "insured" in exc.value.message_dict
    other = factories.member(organisation=orgs["unit"])
    stranger = other.dependants.create(name="王五", relation="child", birth_date=date(2015, 1, 1))
    with pytest.raises(ValidationError):
        services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=1, dependant_id=stranger.pk)
    sibling = make_scheme(orgs["sibling"])
    with pytest.raises(ValidationError) as exc:
        services.enrolment_create(member=member, scheme_id=sibling.pk, shares=1)
    assert "scheme" in exc.value.message_dict
    unverified = factories.member(organisation=orgs["unit"], verified=False)
    with pytest.raises(NotPermitted):
        services.enrolment_create(member=unverified, scheme_id=inpatient.pk, shares=1)
    assert not Enrolment.objects.exists() and not Payment.objects.exists()


def test_one_enrolment_per_person_per_scheme_self_and_each_dependant(member, inpatient, spouse):
    services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=1)
    services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=1, dependant_id=spouse.pk)
    for dependant_id in (None, spouse.pk):
        with pytest.raises(Conflict):
            services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=1, dependant_id=dependant_id)
    mine = Enrolment.objects.get(member=member, insured_dependant=None)
    services.enrolment_cancel(member=member, enrolment_id=mine.pk)
    again = services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=2)  # cancelled frees it
    assert again.status == EnrolmentStatus.PENDING_PAYMENT


def test_claim_review_from_submission_to_payout_with_timeline_and_notifications(member, inpatient, aid_officer):
    enrolment = active_enrolment(member, inpatient, shares=2)
    claim = hospital_claim(member, enrolment)
    assert claim.status == ClaimStatus.SUBMITTED and claim.suggested_payout_fen == 250_000
    assert claim.documents.count() == 1 and claim.documents.get().file.name.startswith("private/claims/")
    services.claim_request_info(actor=aid_officer, claim_id=claim.pk, message="请补充出院小结")
    services.claim_documents_add(member=member, claim_id=claim.pk, documents=[pdf_file()], message="已补充")
    with pytest.raises(ValidationError) as exc:  # a different amount needs a reason
        services.claim_approve(actor=aid_officer, claim_id=claim.pk, amount_fen=200_000)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # never above the cap per claim × shares
        services.claim_approve(actor=aid_officer, claim_id=claim.pk, amount_fen=1_000_001, reason="多付")
    assert "amount_fen" in exc.value.message_dict
    services.claim_approve(actor=aid_officer, claim_id=claim.pk, amount_fen=200_000, reason="部分费用不在范围")
    with pytest.raises(ValidationError):
        services.claim_mark_paid(actor=aid_officer, claim_id=claim.pk, payout_reference=" ")
    services.claim_mark_paid(actor=aid_officer, claim_id=claim.pk, payout_reference="BANK-001")
    claim.refresh_from_db()
    assert (claim.status, claim.approved_amount_fen, claim.payout_reference) == ("paid", 200_000, "BANK-001")
    assert [s.action for s in claim.steps.all()] == ["submitted", "more_info", "documents_added", "approved",
                                                     "paid"]
    kinds = set(Message.objects.filter(user=member.user).values_list("kind", flat=True))
    assert {"mutualaid_claim_received", "mutualaid_claim_more_info", "mutualaid_claim_approved",
            "mutualaid_claim_paid"} <= kinds
    with pytest.raises(Conflict):
        services.claim_reject(actor=aid_officer, claim_id=claim.pk, reason="太迟了")


def test_event_before_cover_is_suggested_zero_and_the_same_event_is_refused(member, orgs):
    scheme = make_scheme(orgs["city"], waiting_period_days=90)
    enrolment = active_enrolment(member, scheme)
    claim = hospital_claim(member, enrolment, days_ago=3)  # term started 30 days ago, cover after 90
    assert claim.suggested_payout_fen == 0 and claim.working[-1]["step"] == "waiting_period"
    with pytest.raises(Conflict) as exc:
        hospital_claim(member, enrolment, days_ago=3)
    assert exc.value.code == "duplicate_event"
    assert Claim.objects.count() == 1


def test_claim_on_someone_elses_enrolment_is_not_found(member, inpatient, orgs):
    other = factories.member(organisation=orgs["unit"])
    enrolment = active_enrolment(other, inpatient)
    with pytest.raises(NotFound):
        hospital_claim(member, enrolment)


def test_sibling_union_officer_cannot_touch_the_claim(member, inpatient, sibling_officer):
    claim = hospital_claim(member, active_enrolment(member, inpatient))
    with pytest.raises(NotFound):
        services.claim_approve(actor=sibling_officer, claim_id=claim.pk)


def test_loss_ratio_alert_goes_once_per_crossing(member, orgs, aid_officer):
    scheme = make_scheme(orgs["city"], alert_loss_ratio_percent=80)
    claim = hospital_claim(member, active_enrolment(member, scheme))
    services.claim_approve(actor=aid_officer, claim_id=claim.pk)
    services.claim_mark_paid(actor=aid_officer, claim_id=claim.pk, payout_reference="P1")
    assert services.loss_ratio_check(scheme_id=scheme.pk) is False  # already alerted
    alerts = Message.objects.filter(kind="mutualaid_loss_ratio_alert")
    assert list(alerts.values_list("user", flat=True)) == [aid_officer.pk]
    row = next(r for r in scheme_dashboard(actor=aid_officer) if r.pk == scheme.pk)
    assert (row.members_covered, row.contributions_fen, row.claims_paid_fen) == (1, 3000, claim.suggested_payout_fen)
    assert row.alert and row.loss_ratio > 80


def test_renewal_reminders_go_once_30_days_before_the_term_ends(member, orgs):
    today = local_today()
    scheme = make_scheme(orgs["city"], term_start=today - timedelta(days=340), term_end=today + timedelta(days=20),
                         enrolment_opens_on=today - timedelta(days=360))
    active_enrolment(member, scheme)
    assert services.renewal_reminders_send() == 1
    assert services.renewal_reminders_send() == 0
    assert Message.objects.filter(kind="mutualaid_renewal_reminder").count() == 1


def test_pending_enrolment_payment_paid_flow_through_the_payments_adapter(member, inpatient):
    from portal.payments.payables import EnrolmentPayable, adapter_for

    enrolment = services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=1)
    payment = Payment.objects.get(enrolment=enrolment)
    assert adapter_for(payment) is EnrolmentPayable
    assert EnrolmentPayable.paid(enrolment) == ""
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE


def test_superusers_see_mutual_aid_read_only_without_the_full_account_number(member, inpatient):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import Client
    from django.urls import reverse

    from portal.members.models import User

    admin = User.objects.create_superuser(email="root@example.com", password="x-Admin-pass-2026")
    TOTP.activate(admin, factories.TOTP_SECRET)
    client = factories.sign_in(Client(), admin)
    claim = hospital_claim(member, active_enrolment(member, inpatient))
    for model in ("scheme", "enrolment", "claim"):
        assert client.get(reverse(f"admin:mutualaid_{model}_changelist")).status_code == 200, model
    page = client.get(reverse("admin:mutualaid_claim_change", args=[claim.pk])).content.decode()
    assert claim.bank_account not in page and claim.bank_account_last4 in page
    assert client.get(reverse("admin:mutualaid_claim_add")).status_code == 403


def test_a_paid_contribution_is_told_as_a_contribution_not_a_ticket(member, inpatient):
    from portal.payments.services.facts import learn_success

    enrolment = services.enrolment_create(member=member, scheme_id=inpatient.pk, shares=1)
    payment = Payment.objects.get(enrolment=enrolment)
    assert learn_success(payment) == "succeeded"
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    message = Message.objects.get(user=member.user, kind="payment_received_contribution")
    assert inpatient.title in message.title and "¥30.00" in message.body
