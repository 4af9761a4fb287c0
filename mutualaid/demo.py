"""Demo mutual aid run by the Hangzhou city union (hz): four schemes (in-hospital, critical illness,
accident (paid by the union), women's illness), enrolments (member@example.com insured in-hospital with a
certificate, her spouse and child insured too, one enrolment awaiting payment) and claims in every state,
so mutualaid@example.com has a queue to review and member@example.com has a claim waiting for documents.

The contributions of the demo's active enrolments count as collected at the workplace (no Payment rows);
the one awaiting payment goes through the payments module like any member's. Idempotent: schemes are
found by title, and a member's enrolments and claims are made only once.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from . import services
from .models import Claim, Enrolment, EnrolmentStatus, Scheme, SchemeKind, SchemeStatus, add_years
from .selectors import local_today

SCHEMES = [
    ("职工住院医疗互助保障计划", SchemeKind.INPATIENT, {
        "contribution_fen": 3000, "max_shares": 5, "waiting_period_days": 30, "per_day_allowance_fen": 5000,
        "ratio_percent": 50, "deductible_fen": 100_000, "cap_per_claim_fen": 500_000, "cap_per_term_fen": 1_000_000,
        "description": "住院期间按天补助，并按合规医疗费用超过起付线部分的50%给予互助金。"}),
    ("职工重大疾病互助保障计划", SchemeKind.CRITICAL_ILLNESS, {
        "contribution_fen": 5000, "max_shares": 3, "waiting_period_days": 90, "min_age": 16, "max_age": 65,
        "lump_sum_fen": 1_000_000, "illnesses": ["恶性肿瘤", "急性心肌梗塞", "脑中风后遗症", "重大器官移植术",
                                                  "终末期肾病"],
        "cap_per_claim_fen": 1_000_000, "cap_per_term_fen": 1_000_000, "alert_loss_ratio_percent": 70,
        "description": "确诊所列重大疾病，每份一次性给付一万元互助金。"}),
    ("职工意外伤害互助保障计划", SchemeKind.ACCIDENT, {
        "contribution_fen": 2000, "union_funded": True, "max_shares": 1, "waiting_period_days": 0,
        "injury_schedule": {"death": 5_000_000, "disability": 2_000_000, "fracture": 300_000, "other": 50_000},
        "cap_per_claim_fen": 5_000_000, "cap_per_term_fen": 5_000_000,
        "description": "由市总工会统一出资，会员及家属因意外伤害按伤情等级给付互助金。"}),
    ("女职工特殊疾病互助保障计划", SchemeKind.WOMENS_ILLNESS, {
        "contribution_fen": 2000, "max_shares": 2, "waiting_period_days": 60, "min_age": 16, "max_age": 60,
        "lump_sum_fen": 500_000, "illnesses": ["乳腺癌", "宫颈癌", "卵巢癌", "子宫内膜癌"],
        "cap_per_claim_fen": 500_000, "cap_per_term_fen": 500_000,
        "description": "女职工（含会员配偶）确诊所列特殊疾病，每份给付五千元。"}),
]


def _schemes(org) -> dict[str, Scheme]:
    today = local_today()
    term_start = today - timedelta(days=90)
    schemes = {}
    for title, kind, fields in SCHEMES:
        scheme = Scheme.objects.filter(organisation=org, title=title).first()
        if scheme is None:
            scheme = Scheme.objects.create(
                organisation=org, title=title, kind=kind, status=SchemeStatus.OPEN, term_years=1,
                term_start=term_start, term_end=add_years(term_start, 1) - timedelta(days=1),
                enrolment_opens_on=term_start - timedelta(days=30), enrolment_closes_on=today + timedelta(days=60),
                **fields)
        schemes[kind] = scheme
    return schemes


def _enrol(member, scheme: Scheme, *, shares: int = 1, dependant=None) -> Enrolment:
    """An active enrolment as if made when the term opened (cover from the end of its waiting period)."""
    existing = Enrolment.objects.filter(member=member, scheme=scheme, insured_dependant=dependant).exclude(
        status=EnrolmentStatus.CANCELLED).first()
    if existing is not None:
        return existing
    enrolment = Enrolment.objects.create(
        scheme=scheme, member=member, insured_dependant=dependant, shares=shares, status=EnrolmentStatus.ACTIVE,
        cover_starts_on=scheme.term_start + timedelta(days=scheme.waiting_period_days),
        amount_fen=scheme.price_fen(shares), activated_at=timezone.now())
    services.record_insured_service(enrolment)
    return enrolment


def _photo(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (236, 240, 245)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _hospital_claim(member, enrolment: Enrolment, *, days_ago: int, stay: int, cost_fen: int) -> Claim:
    admitted = local_today() - timedelta(days=days_ago)
    existing = Claim.objects.filter(enrolment=enrolment, event_on=admitted).first()
    if existing is not None:
        return existing
    return services.claim_submit(
        member=member, enrolment_id=enrolment.pk, event_type="hospitalisation", admission_on=admitted,
        discharge_on=admitted + timedelta(days=stay), amount_claimed_fen=cost_fen, eligible_amount_fen=cost_fen,
        bank_name="中国工商银行", bank_account=f"62220202{member.pk:011d}", documents=[_photo("住院发票.jpg")])


def seed(context: dict) -> None:
    orgs, members, staff = context["orgs"], context["members"], context["staff"]
    officer = staff["mutualaid"]
    schemes = _schemes(orgs["hz"])
    inpatient = schemes[SchemeKind.INPATIENT]

    main = members["member"]
    spouse = main.dependants.filter(relation="spouse").first()
    child = main.dependants.filter(relation="child").first()
    mine = _enrol(main, inpatient, shares=2)
    if spouse is not None:
        _enrol(main, schemes[SchemeKind.WOMENS_ILLNESS], dependant=spouse)
    if child is not None:
        _enrol(main, schemes[SchemeKind.ACCIDENT], dependant=child)
    _enrol(main, schemes[SchemeKind.ACCIDENT])
    critical = schemes[SchemeKind.CRITICAL_ILLNESS]
    if not Enrolment.objects.filter(member=main, scheme=critical).exists():
        services.enrolment_create(member=main, scheme_id=critical.pk, shares=1)  # awaits payment

    # member@example.com: a claim waiting for more documents (in progress).
    claim = _hospital_claim(main, mine, days_ago=20, stay=6, cost_fen=480_000)
    if claim.status == "submitted" and not claim.steps.filter(action="more_info").exists():
        services.claim_request_info(actor=officer, claim_id=claim.pk,
                                    message="请补充出院小结和费用明细清单（盖章页）。")

    # Other members of the city's unions: a claim in each remaining state for the officer's queue and history.
    local = [m for key, m in sorted(members.items()) if key.startswith("demo") and m.is_verified
             and m.organisation.path.startswith(orgs["hz"].path)]
    plans = ["submitted", "submitted", "approved", "rejected", "paid"]
    for i, (member, target) in enumerate(zip(local, plans, strict=False)):
        enrolment = _enrol(member, inpatient, shares=1 + i % 3)
        claim = _hospital_claim(member, enrolment, days_ago=10 + 5 * i, stay=2 + i, cost_fen=150_000 + 60_000 * i)
        if claim.status != "submitted" or target == "submitted":
            continue
        if target == "rejected":
            services.claim_reject(actor=officer, claim_id=claim.pk,
                                  reason="住院发生在保障期之外（病历显示为既往病症复发）。")
            continue
        services.claim_approve(actor=officer, claim_id=claim.pk)
        if target == "paid":
            services.claim_mark_paid(actor=officer, claim_id=claim.pk,
                                     payout_reference=f"HZGH-{date.today():%Y%m%d}-{claim.pk:04d}")
    context["mutualaid_schemes"] = schemes
