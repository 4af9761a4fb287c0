"""seed_demo adds four schemes of the city union, enrolments and claims in every state (idempotent)."""

import pytest
from django.core.management import call_command

from mutualaid import selectors
from mutualaid.models import Claim, Enrolment, Scheme
from portal.members.models import Member, User


def _counts():
    return [m.objects.count() for m in (Scheme, Enrolment, Claim)]


@pytest.mark.django_db
def test_demo_schemes_enrolments_and_claims():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first

    assert set(Scheme.objects.values_list("kind", flat=True)) >= {"inpatient", "critical_illness", "accident",
                                                                  "womens_illness"}
    assert set(Claim.objects.values_list("status", flat=True)) == {"submitted", "more_info", "approved",
                                                                  "rejected", "paid"}
    member = Member.objects.get(user__email="member@example.com")
    mine = selectors.enrolment_list(member=member)
    active = [e for e in mine if e.status == "active"]
    assert any(e.insures_self for e in active) and any(not e.insures_self for e in active)
    assert any(e.status == "pending_payment" and e.payment for e in mine)
    code = next(e for e in active if e.insures_self).certificate_code
    assert selectors.certificate_verify(code=code).valid
    assert selectors.claim_list(member=member).filter(status="more_info").exists()

    officer = User.objects.get(email="mutualaid@example.com")
    queue = selectors.claims_for_staff(actor=officer, open_only=True)
    assert queue.count() >= 3
    dashboard = selectors.scheme_dashboard(actor=officer)
    assert {s.kind for s in dashboard} >= {"inpatient", "critical_illness", "accident", "womens_illness"}
    assert any(s.claims_paid_fen > 0 for s in dashboard)
