"""Every HTML page of the member portal and the staff console, with real object ids from the demo data.

The 360 px browser suite (tests/e2e/test_fit_360.py) and the English-leak suite
(tests/frontend/test_no_english_leaks.py) visit these. `test_every_frontend_route_is_listed` fails when a
route of frontend.urls is neither a page here nor listed in NOT_PAGES, so a new page cannot be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management import call_command
from django.urls import URLPattern, URLResolver, reverse

from frontend import urls as frontend_urls

# Who opens a page: the demo accounts of DESIGN.md section 7.
ACCOUNTS = {
    "anonymous": None,
    "member": "member@example.com",
    "palace": "palace@example.com",      # facility manager: facilities, activities, sessions, check-in
    "officer": "officer@example.com",    # union officer: members
    "mutualaid": "mutualaid@example.com",  # mutual-aid officer: schemes, rosters, enrolments, claims
    "stats": "stats@example.com",        # statistician at the province: dashboard, exports, annual report
}
STAFF = {"palace", "officer", "mutualaid", "stats"}
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo credential
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - published demo secret


@dataclass(frozen=True)
class Page:
    name: str          # URL name ("frontend:console:today") or allauth's ("account_email")
    account: str       # key of ACCOUNTS
    args: tuple = ()   # keys of the ids dict, resolved at visit time
    query: str = ""

    def path(self, ids: dict) -> str:
        url = reverse(self.name, args=[ids[a] for a in self.args])
        return f"{url}?{self.query.format(**ids)}" if self.query else url


# Routes that are not pages a person reads: POST-only actions and files. Each says why.
NOT_PAGES = {
    "frontend:dependant_create": "POST only",
    "frontend:dependant_delete": "POST only",
    "frontend:message_read": "POST only",
    "frontend:message_read_all": "POST only",
    "frontend:booking_ics": "an iCalendar file",
    "frontend:offer_accept": "POST only",
    "frontend:offer_decline": "POST only",
    "frontend:set_language": "POST only",
    "frontend:set_text_size": "POST only",
    "frontend:console:member_verify": "POST only",
    "frontend:console:member_reject": "POST only",
    "frontend:console:photo_delete": "POST only",
    "frontend:console:session_roster_csv": "a CSV file",
    "frontend:favicon": "a redirect to the icon",
    "frontend:console:session_roster_xlsx": "an Excel file",
    "frontend:console:payments_csv": "a CSV file",
    "frontend:totp_enrolment": "a staff account's emailed-code step (tests/members/test_security_auth.py)",
    "frontend:console:room_type_photo_delete": "POST only",
    "frontend:console:stay_check_in": "POST only",
    "frontend:console:stay_check_out": "POST only",
    "frontend:aid_claim_document": "a private file (tests/frontend/test_mutualaid_pages.py)",
    "frontend:console:claim_document": "a private file (tests/frontend/test_console_mutualaid.py)",
    "frontend:console:roster_errors": "a CSV file",
    "frontend:console:enrolments_csv": "a CSV file",
    "frontend:console:enrolments_xlsx": "an Excel file",
    "frontend:console:quota_allocate": "POST only",
    "frontend:console:quota_hand_back": "POST only",
    "frontend:console:participant_check": "POST only",
    "frontend:console:batch_roster_csv": "a CSV file",
    "frontend:console:batch_roster_xlsx": "an Excel file",
    "frontend:console:stats_csv": "a CSV file",
    "frontend:console:stats_export_download": "a private file (tests/frontend/test_console_stats.py)",
    "frontend:console:stats_template_run": "POST only",
}

PAGES = [
    Page("frontend:home", "anonymous"),
    Page("frontend:palaces", "anonymous"),
    Page("frontend:palace_detail", "anonymous", ("palace",)),
    Page("frontend:sanatoriums", "anonymous"),
    Page("frontend:sanatorium_detail", "anonymous", ("sanatorium",)),
    Page("frontend:room_type_detail", "anonymous", ("room_type",)),
    Page("frontend:programmes", "anonymous"),
    Page("frontend:programme_detail", "anonymous", ("programme",)),
    Page("account_login", "anonymous"),
    Page("account_signup", "anonymous"),
    Page("account_reset_password", "anonymous"),
    Page("frontend:home", "member"),
    Page("frontend:profile", "member"),
    Page("frontend:profile_edit", "member"),
    Page("frontend:inbox", "member"),
    Page("frontend:access_log", "member"),
    Page("frontend:payment_list", "member"),
    Page("frontend:payment_pay", "member", ("held_payment",)),
    Page("frontend:payment_status", "member", ("held_payment",)),
    Page("frontend:payment_receipt", "member", ("paid_payment",)),
    Page("frontend:palaces", "member"),
    Page("frontend:palace_detail", "member", ("palace",), query="week={week}"),
    Page("frontend:session_book", "member", ("open_session",)),
    Page("frontend:booking_list", "member"),
    Page("frontend:booking_detail", "member", ("booking",)),
    Page("frontend:booking_cancel", "member", ("booking",)),
    Page("frontend:calendar_feed", "member"),
    Page("frontend:sanatoriums", "member"),
    Page("frontend:sanatorium_detail", "member", ("sanatorium",)),
    Page("frontend:room_type_detail", "member", ("room_type",), query="month={next_month}"),
    Page("frontend:stay_book", "member", ("room_type",)),
    Page("frontend:stay_list", "member"),
    Page("frontend:stay_detail", "member", ("stay",)),
    Page("frontend:stay_cancel", "member", ("stay",)),
    Page("frontend:programmes", "member"),
    Page("frontend:programme_detail", "member", ("programme",)),
    Page("frontend:batch_apply", "member", ("programme", "batch")),
    Page("frontend:application_list", "member"),
    Page("frontend:application_detail", "member", ("member_application",)),
    Page("frontend:application_withdraw", "member", ("member_application",)),
    Page("account_email", "member"),
    Page("account_change_password", "member"),
    Page("mfa_index", "member"),
    Page("mfa_activate_totp", "member"),
    Page("usersessions_list", "member"),
    Page("frontend:console:today", "palace"),
    Page("frontend:console:facilities", "palace"),
    Page("frontend:console:facility_create", "palace"),
    Page("frontend:console:facility_detail", "palace", ("palace",)),
    Page("frontend:console:facility_edit", "palace", ("palace",)),
    Page("frontend:console:venue_detail", "palace", ("venue",)),
    Page("frontend:console:asset_detail", "palace", ("asset",)),
    Page("frontend:console:activities", "palace"),
    Page("frontend:console:activity_create", "palace"),
    Page("frontend:console:activity_detail", "palace", ("activity",)),
    Page("frontend:console:activity_schedule", "palace", ("activity",)),
    Page("frontend:console:session_calendar", "palace"),
    Page("frontend:console:session_calendar", "palace", query="week={week}"),
    Page("frontend:console:session_detail", "palace", ("booked_session",)),
    Page("frontend:console:session_roster", "palace", ("booked_session",)),
    Page("frontend:console:checkin", "palace"),
    Page("frontend:console:payments", "palace"),
    Page("frontend:console:payment_refund", "palace", ("paid_payment",)),
    Page("frontend:console:room_types", "palace"),
    Page("frontend:console:room_type_create", "palace"),
    Page("frontend:console:room_type_detail", "palace", ("staff_room_type",)),
    Page("frontend:console:room_nights", "palace", ("staff_room_type",)),
    Page("frontend:console:stays_today", "palace", query="date={arrival_day}"),
    Page("mfa_index", "palace"),
    Page("frontend:console:today", "officer"),
    Page("frontend:console:audit", "officer"),
    Page("frontend:console:members", "officer"),
    Page("frontend:console:members", "officer", query="status=pending"),
    Page("frontend:console:member_detail", "officer", ("member",)),
    Page("frontend:console:member_detail", "officer", ("pending_member",)),
    Page("frontend:aid_schemes", "anonymous"),
    Page("frontend:aid_verify", "anonymous", ("aid_certificate_code",)),
    Page("frontend:aid_schemes", "member"),
    Page("frontend:aid_enrol", "member", ("aid_scheme",)),
    Page("frontend:aid_mine", "member"),
    Page("frontend:aid_certificate", "member", ("aid_enrolment",)),
    Page("frontend:aid_claim_create", "member"),
    Page("frontend:aid_claim_detail", "member", ("aid_claim",)),
    Page("frontend:console:today", "mutualaid"),
    Page("frontend:console:mutualaid", "mutualaid"),
    Page("frontend:console:schemes", "mutualaid"),
    Page("frontend:console:scheme_create", "mutualaid"),
    Page("frontend:console:scheme_edit", "mutualaid", ("aid_scheme",)),
    Page("frontend:console:roster_upload", "mutualaid"),
    Page("frontend:console:roster_detail", "mutualaid", ("aid_roster",)),
    Page("frontend:console:enrolments", "mutualaid"),
    Page("frontend:console:claims", "mutualaid"),
    Page("frontend:console:claim_detail", "mutualaid", ("aid_claim",)),
    Page("frontend:console:programmes", "officer"),
    Page("frontend:console:programme_create", "officer"),
    Page("frontend:console:programme_detail", "officer", ("programme",)),
    Page("frontend:console:batch_detail", "officer", ("batch",)),
    Page("frontend:console:approvals", "officer"),
    Page("frontend:console:approvals", "officer", query="step=confirm"),
    Page("frontend:console:application_detail", "officer", ("queued_application",)),
    Page("frontend:console:application_detail", "officer", ("member_application",)),
    Page("frontend:console:batch_nominate", "officer", ("batch",)),
    Page("frontend:console:batch_roster", "officer", ("batch",)),
    Page("frontend:console:today", "stats"),
    Page("frontend:console:stats_dashboard", "stats"),
    Page("frontend:console:stats_dashboard", "stats", query="org={stats_child}"),
    Page("frontend:console:stats_report", "stats"),
    Page("frontend:console:stats_targets", "stats"),
    Page("frontend:console:stats_exports", "stats"),
    Page("frontend:console:stats_export", "stats", ("stats_export",)),
]


def route_names(patterns=None, prefix: str = "frontend:") -> set[str]:
    names = set()
    for entry in patterns if patterns is not None else frontend_urls.urlpatterns:
        if isinstance(entry, URLResolver):
            names |= route_names(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def _demo_payments(paid_session) -> tuple[int, int]:
    """member@example.com's payments without localstripe: one awaiting payment, one paid (set directly)."""
    from django.utils import timezone

    from bookings.models import Session
    from bookings.services import booking_create
    from portal.members.models import Member
    from portal.payments.models import Payment, PaymentStatus

    member = Member.objects.get(user__email="member@example.com")
    held = booking_create(member=member, session_id=paid_session.pk)
    other = Session.objects.filter(activity__price_fen__gt=0, start__gt=timezone.now(), status="scheduled").exclude(
        pk=paid_session.pk).exclude(bookings__member=member).order_by("start").first()
    paid = booking_create(member=member, session_id=other.pk)
    Payment.objects.filter(booking=paid).update(status=PaymentStatus.SUCCEEDED, succeeded_at=timezone.now(),
                                                stripe_payment_intent_id="pi_pages_paid")
    return Payment.objects.get(booking=held).pk, Payment.objects.get(booking=paid).pk


def _demo_stays() -> dict:
    """A sanatorium room type open for booking, one the palace manager runs (the demo's sanatoriums belong to the
    provinces), and a stay of member@example.com with a dependant. Uses the demo's rows where they exist."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bookings.models import NIGHT_HOLDING_STATUSES, Stay
    from bookings.services import stay_create
    from facilities.models import Facility, FacilityKind, RoomNight, RoomType, SanatoriumPolicy
    from portal.members import permissions
    from portal.members.models import Member
    from portal.members.permissions import Action

    today = timezone.localdate()

    def bookable(facility, name: str) -> RoomType:
        SanatoriumPolicy.objects.get_or_create(facility=facility)
        room = RoomType.objects.filter(facility=facility, active=True).order_by("pk").first() or \
            RoomType.objects.create(facility=facility, name=name, kind="twin", rooms=6, beds=2,
                                    member_price_fen=26_000, companion_price_fen=32_000)
        RoomNight.objects.bulk_create([RoomNight(room_type=room, date=today + timedelta(days=i), rooms_open=room.rooms)
                                       for i in range(90)], ignore_conflicts=True)
        return room

    sanatorium = Facility.objects.filter(kind=FacilityKind.SANATORIUM).order_by("pk").first()
    room = bookable(sanatorium, "湖景双人间")
    manager = get_user_model().objects.get(email="palace@example.com")
    managed = permissions.scope(manager, Action.MANAGE_FACILITY, RoomType.objects.all(),
                                via="facility__organisation").order_by("pk").first()
    if managed is None:
        grant = manager.role_grants.order_by("pk").first()
        own = Facility.objects.create(kind=FacilityKind.SANATORIUM, organisation=grant.organisation,
                                      name="杭州市职工疗休养中心", region_code=grant.organisation.region_code,
                                      address="杭州市西湖区满觉陇路 2 号")
        managed = bookable(own, "标准单人间")
    member = Member.objects.get(user__email="member@example.com")
    stay = Stay.objects.filter(member=member, status__in=NIGHT_HOLDING_STATUSES).order_by("check_in").first()
    if stay is None:
        stay = stay_create(member=member, room_type_id=managed.pk, check_in=today + timedelta(days=30),
                           check_out=today + timedelta(days=32), rooms=1,
                           dependant_ids=list(member.dependants.values_list("pk", flat=True)[:1]))
    return {"sanatorium": room.facility_id, "room_type": room.pk, "staff_room_type": managed.pk, "stay": stay.pk,
            "arrival_day": stay.check_in.isoformat(),
            "next_month": (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")}
def _demo_mutualaid() -> dict:
    """member@example.com's cover and a claim in progress, and a checked roster, from the demo data (made here
    when the demo has none of them yet)."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from mutualaid import services
    from mutualaid.models import Claim, Enrolment, RosterImport, Scheme, SchemeKind
    from portal.members.models import Member, Organisation, OrganisationLevel
    from tests.images import png_bytes

    member = Member.objects.select_related("organisation").get(user__email="member@example.com")
    enrolment = Enrolment.objects.filter(member=member, status="active").order_by("pk").first()
    if enrolment is None:
        today = timezone.localdate()
        scheme = Scheme.objects.create(
            organisation=member.organisation.get_parent() or member.organisation, title="职工住院互助保障（页面）",
            kind=SchemeKind.INPATIENT, status="open", term_start=today - timedelta(days=30),
            term_end=today + timedelta(days=334), contribution_fen=3000, max_shares=3, union_funded=True,
            enrolment_opens_on=today - timedelta(days=30), enrolment_closes_on=today + timedelta(days=30),
            per_day_allowance_fen=5000, cap_per_claim_fen=500000, cap_per_term_fen=1000000)
        enrolment = services.enrolment_create(member=member, scheme_id=scheme.pk, shares=1)
    claim = Claim.objects.filter(enrolment__member=member).order_by("pk").first()
    if claim is None:
        today = timezone.localdate()
        claim = services.claim_submit(
            member=member, enrolment_id=enrolment.pk, event_type="hospitalisation", amount_claimed_fen=80000,
            bank_name="中国工商银行", bank_account="6222021234567890", admission_on=today, discharge_on=today,
            documents=[ContentFile(png_bytes(), name="发票.png")])
    open_scheme = Scheme.objects.filter(status="open", enrolments__isnull=True).order_by("pk").first() or \
        enrolment.scheme
    roster = RosterImport.objects.order_by("pk").first()
    if roster is None:
        unit = Organisation.objects.filter(level=OrganisationLevel.GRASSROOTS,
                                           path__startswith=enrolment.scheme.organisation.path).first()
        roster = RosterImport.objects.create(scheme=enrolment.scheme, organisation=unit, file="private/x.csv",
                                             original_name="名单.csv", status="valid", rows_total=3,
                                             rows_done=3, percent=100, new_members=1, matched_members=2)
    return {"aid_scheme": open_scheme.pk, "aid_enrolment": enrolment.pk, "aid_claim": claim.pk,
            "aid_certificate_code": enrolment.certificate_code, "aid_roster": roster.pk}


def _demo_programmes() -> dict:
    """The demo programme's first batch, member@example.com's application and one waiting in officer@'s queue."""
    from bookings.models import Application, ApplicationStatus, Batch

    mine = Application.objects.filter(member__user__email="member@example.com").order_by("pk").first()
    batch = mine.batch if mine else Batch.objects.order_by("start_date", "pk").first()
    queued = Application.objects.filter(status=ApplicationStatus.SUBMITTED).order_by("pk").first()
    return {"programme": batch.programme_id, "batch": batch.pk, "member_application": mine.pk,
            "queued_application": queued.pk}


def _demo_stats() -> dict:
    """A child organisation of stats@example.com's province (to drill into) and one export of theirs."""
    from django.contrib.auth import get_user_model

    from portal.members.models import Organisation
    from portal.stats.exports.services import export_request
    from portal.stats.scope import stats_organisation

    user = get_user_model().objects.get(email="stats@example.com")
    home = stats_organisation(user, None)
    child = Organisation.objects.filter(path__startswith=home.path, depth=home.depth + 1).order_by("path").first()
    export = export_request(actor=user, kind="summary", fmt="xlsx", filters={"org": home.pk})
    return {"stats_child": (child or home).pk, "stats_export": export.pk}


def seed_demo() -> dict:
    """Load the demo data and return the ids the pages need (palace manager's palace, a booked session ...)."""
    from django.utils import timezone

    from bookings.models import Activity, Booking, BookingStatus, Session
    from facilities.models import AssetRecord, Facility, Venue
    from portal.members.models import Member

    call_command("seed_demo", verbosity=0)
    palace = Facility.objects.get(name="杭州工人文化宫")
    booking = Booking.objects.filter(member__user__email="member@example.com",
                                     status=BookingStatus.CONFIRMED).order_by("session__start").first()
    booked = Session.objects.filter(activity__facility=palace, bookings__isnull=False).order_by("start").first()
    open_session = Session.objects.filter(activity__facility=palace, activity__price_fen__gt=0,
                                          start__gt=timezone.now()).order_by("start").first()
    held_payment, paid_payment = _demo_payments(open_session)
    return {
        **_demo_stays(), **_demo_mutualaid(), **_demo_programmes(), **_demo_stats(),
        "held_payment": held_payment,
        "paid_payment": paid_payment,
        "palace": palace.pk,
        "venue": Venue.objects.filter(facility=palace).order_by("pk").first().pk,
        "asset": AssetRecord.objects.filter(facility=palace).order_by("-year").first().pk,
        "activity": Activity.objects.filter(facility=palace).order_by("pk").first().pk,
        "booked_session": booked.pk,
        "open_session": open_session.pk,
        "booking": booking.pk,
        "member": Member.objects.get(user__email="member@example.com").pk,
        "pending_member": Member.objects.filter(verification_status="pending",
                                                user__email="newcomer@example.com").get().pk,
        "week": timezone.localtime(booked.start).date().isoformat(),
    }


def pages_for(account: str) -> list[Page]:
    return [p for p in PAGES if p.account == account]
