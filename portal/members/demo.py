"""Demo data for the union tree, members and staff (DESIGN.md section 7). Idempotent.

`seed_demo` runs every installed app's `demo.seed(context)` in INSTALLED_APPS order; this one runs first
and puts the organisations and accounts into `context` for the others.
"""

from __future__ import annotations

import functools
from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from stdnum.cn import ric

from .models import (
    Dependant,
    Member,
    ModelWorkerLevel,
    Organisation,
    OrganisationLevel,
    Role,
    RoleGrant,
    User,
    VerificationStatus,
)
from .services import member_create

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo credential (DESIGN.md section 7)
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - published demo secret

# (key, name, level, region code, parent key)
TREE = [
    ("national", "中华全国总工会", OrganisationLevel.NATIONAL, "100000", None),
    ("zj", "浙江省总工会", OrganisationLevel.PROVINCE, "330000", "national"),
    ("js", "江苏省总工会", OrganisationLevel.PROVINCE, "320000", "national"),
    ("hz", "杭州市总工会", OrganisationLevel.CITY, "330100", "zj"),
    ("nb", "宁波市总工会", OrganisationLevel.CITY, "330200", "zj"),
    ("nj", "南京市总工会", OrganisationLevel.CITY, "320100", "js"),
    ("sz", "苏州市总工会", OrganisationLevel.CITY, "320500", "js"),
    ("xihu", "西湖区总工会", OrganisationLevel.COUNTY, "330106", "hz"),
    ("tonglu", "桐庐县总工会", OrganisationLevel.COUNTY, "330122", "hz"),
    ("yinzhou", "鄞州区总工会", OrganisationLevel.COUNTY, "330212", "nb"),
    ("jiangning", "江宁区总工会", OrganisationLevel.COUNTY, "320115", "nj"),
    ("kunshan", "昆山市总工会", OrganisationLevel.COUNTY, "320583", "sz"),
    ("hz_bus", "杭州公交集团工会", OrganisationLevel.GRASSROOTS, "330100", "hz"),
    ("hz_steel", "杭州钢铁集团工会", OrganisationLevel.GRASSROOTS, "330106", "xihu"),
    ("xihu_hospital", "西湖区人民医院工会", OrganisationLevel.GRASSROOTS, "330106", "xihu"),
    ("tonglu_express", "桐庐快递物流行业联合工会", OrganisationLevel.GRASSROOTS, "330122", "tonglu"),
    ("nb_port", "宁波舟山港集团工会", OrganisationLevel.GRASSROOTS, "330200", "nb"),
    ("yinzhou_school", "鄞州区实验中学工会", OrganisationLevel.GRASSROOTS, "330212", "yinzhou"),
    ("nj_metro", "南京地铁集团工会", OrganisationLevel.GRASSROOTS, "320100", "nj"),
    ("jiangning_auto", "江宁汽车制造厂工会", OrganisationLevel.GRASSROOTS, "320115", "jiangning"),
    ("nj_riders", "南京市外卖骑手联合工会", OrganisationLevel.GRASSROOTS, "320100", "nj"),
    ("sz_electronics", "苏州工业园区电子厂工会", OrganisationLevel.GRASSROOTS, "320500", "sz"),
    ("kunshan_textile", "昆山纺织集团工会", OrganisationLevel.GRASSROOTS, "320583", "kunshan"),
    ("sz_sanitation", "苏州市环卫处工会", OrganisationLevel.GRASSROOTS, "320500", "sz"),
]

# Accounts every client, test and document relies on (DESIGN.md section 7).
MEMBERS = [
    dict(email="member@example.com", phone="+8613800000001", real_name="王建国", org="hz_steel", verified=True,
         model_worker_level=ModelWorkerLevel.PROVINCIAL, frontline=True, id_seed=("330102", "19850310", "103")),
    dict(email="skilled@example.com", phone="+8613800000002", real_name="李技能", org="hz_bus", verified=True,
         skilled_worker=True, frontline=True, id_seed=("330102", "19880521", "202")),
    dict(email="newcomer@example.com", phone="+8613800000003", real_name="张新", org="xihu_hospital",
         verified=False),
]
STAFF = [
    ("palace@example.com", "hz", Role.FACILITY_MANAGER),
    ("officer@example.com", "hz", Role.UNION_OFFICER),
    ("mutualaid@example.com", "hz", Role.MUTUALAID_OFFICER),
    ("stats@example.com", "zj", Role.STATISTICIAN),
    # The two demo sanatoriums belong to the provincial unions: their desk and room manager.
    ("sanatorium@example.com", "zj", Role.FACILITY_MANAGER),
    ("sanatorium@example.com", "js", Role.FACILITY_MANAGER),
]

SURNAMES = "陈林黄周吴徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ["志强", "秀英", "海燕", "建华", "丽娟", "国平", "春梅", "伟", "敏", "军", "芳", "磊", "静", "勇", "婷"]
# Extra members across the tree so every category and most unions have somebody.
CATEGORY_CYCLE = [
    dict(model_worker_level=ModelWorkerLevel.NATIONAL),
    dict(model_worker_level=ModelWorkerLevel.CITY, frontline=True),
    dict(skilled_worker=True),
    dict(frontline=True),
    dict(retiree=True),
    dict(gig_worker=True, frontline=True),
    dict(skilled_worker=True, model_worker_level=ModelWorkerLevel.PROVINCIAL),
    dict(),
]


def _id_number(region: str, birth: str, seq: str) -> str:
    """A demo resident ID number with a correct check character."""
    body = f"{region}{birth}{seq}"
    return next(body + c for c in "0123456789X" if ric.is_valid(body + c))


def _organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for key, name, level, region, parent in TREE:
        existing = Organisation.objects.filter(name=name, level=level).first()
        if existing is None:
            fields = {"name": name, "level": level, "region_code": region}
            if parent is None:
                existing = Organisation.objects.add_root(create_kwargs=fields)
            else:
                orgs[parent].refresh_from_db()
                existing = Organisation.objects.add_child(orgs[parent], create_kwargs=fields)
        orgs[key] = existing
    for org in orgs.values():
        org.refresh_from_db()
    return orgs


@functools.cache
def _password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: dozens of PBKDF2 runs would make seeding slow


def _account(email: str, phone: str | None = None, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, phone=phone, phone_verified=bool(phone), **extra)
        user.password = _password_hash()
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _enrol_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)


def _member(*, email: str, phone: str | None, real_name: str, org: Organisation, verified: bool,
            verifier: User | None, id_number: str = "", **categories) -> Member:
    user = _account(email, phone)
    member = Member.objects.filter(user=user).first()
    if member is None:
        member = member_create(user=user, real_name=real_name, organisation=org, id_number=id_number,
                               verified_by=verifier if verified else None, **categories)
    return member


def seed(context: dict) -> None:
    orgs = _organisations()
    context["orgs"] = orgs
    admin = _account("admin@example.com", is_staff=True, is_superuser=True)
    _enrol_totp(admin)
    staff: dict[str, User] = {}
    for email, org_key, role in STAFF:
        user = _account(email)
        RoleGrant.objects.get_or_create(user=user, organisation=orgs[org_key], role=role)
        _enrol_totp(user)
        staff[email.split("@")[0]] = user
    context["staff"] = staff

    members: dict[str, Member] = {}
    for spec in MEMBERS:
        spec = dict(spec)
        id_seed = spec.pop("id_seed", None)
        org_key = spec.pop("org")
        email = spec["email"]
        members[email.split("@")[0]] = _member(
            org=orgs[org_key], verifier=staff["officer"], id_number=_id_number(*id_seed) if id_seed else "", **spec)
    main = members["member"]
    if not main.dependants.exists():
        Dependant.objects.create(member=main, name="刘芳", relation="spouse", birth_date=date(1980, 6, 18))
        Dependant.objects.create(member=main, name="王小明", relation="child", birth_date=date(2012, 9, 1))

    grassroots = [key for key, *_rest in TREE if dict((k, lvl) for k, _n, lvl, *_r in TREE)[key] == "grassroots"]
    for i in range(36):
        org_key = grassroots[i % len(grassroots)]
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        verified = i % 9 != 4  # a few pending ones for the verification queue
        members[f"demo{i:02d}"] = _member(
            email=f"demo{i:02d}@example.com", phone=f"+86137{i:08d}", real_name=name, org=orgs[org_key],
            verified=verified, verifier=staff["officer"], **CATEGORY_CYCLE[i % len(CATEGORY_CYCLE)])
    context["members"] = members
    Member.objects.filter(user__email="newcomer@example.com").update(verification_status=VerificationStatus.PENDING)
