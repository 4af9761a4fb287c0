import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.db.models import Count

from portal.members.models import Dependant, Member, Organisation, RoleGrant, User, VerificationStatus

ACCOUNTS = ["member@example.com", "skilled@example.com", "newcomer@example.com", "palace@example.com",
            "officer@example.com", "mutualaid@example.com", "stats@example.com", "admin@example.com"]


def _counts():
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label not in
            {"sessions", "contenttypes", "admin", "usersessions"}}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_matches_the_contract():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first

    assert set(User.objects.filter(email__in=ACCOUNTS).values_list("email", flat=True)) == set(ACCOUNTS)
    for email in ACCOUNTS:
        assert User.objects.get(email=email).check_password("demo-pass-2026")
    member = Member.objects.get(user__email="member@example.com")
    assert member.is_verified and member.model_worker_level == "provincial"
    assert member.user.phone == "+8613800000001"
    assert Dependant.objects.filter(member=member).count() == 2
    skilled = Member.objects.get(user__email="skilled@example.com")
    assert skilled.is_verified and skilled.skilled_worker
    assert Member.objects.get(user__email="newcomer@example.com").verification_status == VerificationStatus.PENDING

    city = Organisation.objects.get(name="杭州市总工会")
    for email, role in [("palace@example.com", "facility_manager"), ("officer@example.com", "union_officer"),
                        ("mutualaid@example.com", "mutualaid_officer")]:
        assert RoleGrant.objects.filter(user__email=email, organisation=city, role=role).exists()
    assert RoleGrant.objects.get(user__email="stats@example.com").organisation.name == "浙江省总工会"
    assert member.organisation.path.startswith(city.path)
    for email in ACCOUNTS[3:]:
        assert Authenticator.objects.filter(user__email=email, type="totp").exists()
    assert User.objects.get(email="admin@example.com").is_superuser

    levels = dict(Organisation.objects.order_by().values_list("level").annotate(n=Count("id")))
    assert levels["national"] == 1 and levels["province"] == 2 and levels["grassroots"] >= 12
    assert Member.objects.filter(gig_worker=True).exists() and Member.objects.filter(retiree=True).exists()


@pytest.mark.django_db
def test_seed_demo_refuses_without_permission(settings):
    from django.core.management.base import CommandError

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
