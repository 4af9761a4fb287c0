"""Plain builders for test data (real rows in the real database; no mocks)."""

from __future__ import annotations

import itertools
import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from portal.members.models import Member, Organisation, OrganisationLevel, User, VerificationStatus
from portal.members.services import member_create, role_grant

PASSWORD = "test-pass-2026!"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def totp_code() -> str:
    from portal.members.management.commands.demo_totp import totp_now

    return totp_now(TOTP_SECRET)

_seq = itertools.count(1)

# Valid resident ID numbers (checksums correct) for tests.
VALID_ID_NUMBERS = ["11010519491231002X", "110101199003074477", "330102198505051235", "330122199001014561"]


def _add(parent: Organisation | None, **fields) -> Organisation:
    if parent is None:
        return Organisation.objects.add_root(create_kwargs=fields)
    parent.refresh_from_db()
    return Organisation.objects.add_child(parent, create_kwargs=fields)


def org_tree() -> dict[str, Organisation]:
    """national > province > city > county > two grassroots unions, plus a sibling city with its own union."""
    national = _add(None, name="中华全国总工会", level=OrganisationLevel.NATIONAL, region_code="100000")
    province = _add(national, name="某省总工会", level=OrganisationLevel.PROVINCE, region_code="330000")
    city = _add(province, name="甲市总工会", level=OrganisationLevel.CITY, region_code="330100")
    county = _add(city, name="甲县总工会", level=OrganisationLevel.COUNTY, region_code="330122")
    unit = _add(county, name="甲县机械厂工会", level=OrganisationLevel.GRASSROOTS, region_code="330122")
    unit2 = _add(city, name="甲市公交集团工会", level=OrganisationLevel.GRASSROOTS, region_code="330100")
    sibling = _add(province, name="乙市总工会", level=OrganisationLevel.CITY, region_code="330200")
    sibling_unit = _add(sibling, name="乙市港务集团工会", level=OrganisationLevel.GRASSROOTS, region_code="330200")
    for org in (national, province, city, county, unit, unit2, sibling, sibling_unit):
        org.refresh_from_db()
    return {"national": national, "province": province, "city": city, "county": county, "unit": unit,
            "unit2": unit2, "sibling": sibling, "sibling_unit": sibling_unit}


def user(*, email: str | None = None, phone: str | None = None, password: str = PASSWORD) -> User:
    n = next(_seq)
    u = User.objects.create_user(email=email or f"user{n}@example.com", password=password, phone=phone)
    EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)
    return u


def member(*, organisation: Organisation, verified: bool = True, email: str | None = None,
           phone: str | None = None, **fields) -> Member:
    n = next(_seq)
    u = user(email=email, phone=phone or f"+86139{n:08d}")
    default_name = "会员" + "".join("零一二三四五六七八九"[int(d)] for d in str(n))  # names hold no digits
    m = member_create(user=u, real_name=fields.pop("real_name", default_name), organisation=organisation, **fields)
    if verified:
        m.verification_status = VerificationStatus.VERIFIED
        m.save(update_fields=["verification_status"])
    return m


def staff(*, organisation: Organisation, role: str, mfa: bool = True, email: str | None = None) -> User:
    u = user(email=email)
    role_grant(user=u, organisation=organisation, role=role)
    if mfa:
        TOTP.activate(u, TOTP_SECRET)
    return u


def sign_in(client, user, *, mfa: bool | None = None):
    """Log `client` (Django or DRF test client) in as `user` the way allauth would have: with the password,
    plus the TOTP step when the user has TOTP (or as `mfa` says). Staff pages and APIs look for that step."""
    client.force_login(user)
    if mfa is None:
        mfa = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    records = [{"method": "password", "at": time.time()}]
    if mfa:
        records.append({"method": "mfa", "at": time.time(), "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client
