"""Activities, their dated sessions, bookings (with waitlist, ballot and tickets), walk-ins and suspensions.

Correctness lives here as constraints: a session's `booked` counter can never leave [0, capacity], and a
member holds at most one active booking per session (a partial unique index).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility, Venue
from portal.currency import Currency, only_cny
from portal.members.models import Member, Organisation

__all__ = [
    "ACTIVE_STATUSES",
    "Activity",
    "ActivityKind",
    "Attendance",
    "Booking",
    "BookingStatus",
    "CalendarFeed",
    "Category",
    "LIMITED_STATUSES",
    "MemberCategory",
    "RefundStatus",
    "SEAT_STATUSES",
    "Session",
    "SessionStatus",
    "Suspension",
    "WALKIN_EARLIEST_DATE",
    "WALKIN_MAX_PERSONS",
    "WalkIn",
]

# A head count beyond this is a typing slip, not a day's visitors (the largest palace theatre seats ~2,000).
WALKIN_MAX_PERSONS = 10_000
WALKIN_EARLIEST_DATE = date(2000, 1, 1)


class ActivityKind(models.TextChoices):
    CLASS_SERIES = "class_series", _("Class series")
    EVENT = "event", _("One-off event")
    OPEN_HOURS = "open_hours", _("Open venue time")


class Category(models.TextChoices):
    ARTS = "arts", _("Arts and crafts")
    MUSIC = "music", _("Music and dance")
    SPORTS = "sports", _("Sports and fitness")
    SKILLS = "skills", _("Skills training")
    HEALTH = "health", _("Health")
    FAMILY = "family", _("Family and children")
    PERFORMANCE = "performance", _("Performances and lectures")
    OTHER = "other", _("Other")


class MemberCategory(models.TextChoices):
    """Audience restriction by member category; a member qualifies through any one listed."""

    MODEL_WORKER = "model_worker", _("Model workers")
    SKILLED_WORKER = "skilled_worker", _("Skilled workers")
    FRONTLINE = "frontline", _("Frontline workers")
    RETIREE = "retiree", _("Retirees")
    GIG_WORKER = "gig_worker", _("Gig workers")


class Activity(models.Model):
    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.PROTECT,
                                 related_name="activities")
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="activities",
                              help_text=_("default venue for new sessions"))
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    price_fen = models.PositiveIntegerField(_("price per seat (fen)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    # Audience rules. Every booker must be a verified member; these narrow it further.
    members_only = models.BooleanField(_("members of the owning union only"), default=False)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    member_categories = models.JSONField(_("member categories"), default=list, blank=True,
                                         help_text=_("empty: everyone; otherwise any of these categories"))
    # Limits.
    max_seats_per_booking = models.PositiveSmallIntegerField(
        _("seats per booking"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)])
    max_active_per_week = models.PositiveSmallIntegerField(_("active bookings per week"), null=True, blank=True)
    # Booking window relative to the session start, and the free cancellation deadline.
    opens_hours_before = models.PositiveIntegerField(_("booking opens (hours before start)"), default=14 * 24)
    closes_hours_before = models.PositiveIntegerField(_("booking closes (hours before start)"), default=1)
    cancel_hours_before = models.PositiveIntegerField(_("free cancellation until (hours before start)"),
                                                      default=24)
    waitlist_enabled = models.BooleanField(_("waitlist"), default=True)
    ballot = models.BooleanField(_("places drawn by ballot"), default=False)
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_hours_before__gt=F("closes_hours_before")), name="activity_window_opens_before_close",
                violation_error_code="window_order",
                violation_error_message=_("Booking must close after it opens: enter fewer hours before the start "
                                          "here than for opening.")),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=F("max_age")),
                name="activity_age_range", violation_error_code="age_range",
                violation_error_message=_("The maximum age cannot be below the minimum age.")),
            models.CheckConstraint(condition=only_cny(), name="activity_currency_cny", violation_error_code="currency",
                                   violation_error_message=_("Prices are in renminbi (CNY).")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owning_organisation(self) -> Organisation:
        return self.facility.organisation


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="sessions")
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="sessions")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(_("capacity"))
    # Confirmed + held seats (pending payment, offered, late-cancelled). Changed only by conditional UPDATEs.
    booked = models.IntegerField(_("seats taken"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    # Ballot audit trail: the seed that reproduces the draw, and when it ran.
    ballot_seed = models.CharField(_("ballot seed"), max_length=64, blank=True)
    ballot_drawn_at = models.DateTimeField(_("ballot drawn at"), null=True, blank=True)
    no_shows_marked_at = models.DateTimeField(_("no-shows marked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(booked__gte=0), name="session_booked_non_negative",
                                   violation_error_code="booked_negative",
                                   violation_error_message=_("More seats were released than were taken.")),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="session_booked_within_capacity",
                                   violation_error_code="over_capacity",
                                   violation_error_message=_("The capacity cannot be below the seats already "
                                                             "taken.")),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_ends_after_start",
                                   violation_error_code="end_before_start",
                                   violation_error_message=_("The end must be after the start.")),
        ]
        indexes = [models.Index(fields=["start"]), models.Index(fields=["activity", "start"])]

    def __str__(self) -> str:
        return f"{self.activity.title} @ {self.start:%Y-%m-%d %H:%M}"

    @property
    def owning_organisation(self) -> Organisation:
        return self.activity.facility.organisation

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


class BookingStatus(models.TextChoices):
    INTEREST = "interest", _("Registered for the ballot")
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")
    LATE_CANCELLED = "late_cancelled", _("Cancelled late")
    EXPIRED = "expired", _("Expired")
    DECLINED = "declined", _("Offer declined")


# Statuses whose seats are counted in Session.booked (a late cancel keeps its seat: DESIGN/issue rule).
SEAT_STATUSES = (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED, BookingStatus.OFFERED,
                 BookingStatus.LATE_CANCELLED)
# At most one of these per member and session.
ACTIVE_STATUSES = (BookingStatus.INTEREST, BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED,
                   BookingStatus.WAITLISTED, BookingStatus.OFFERED, BookingStatus.LATE_CANCELLED)
# What counts against per-week limits.
LIMITED_STATUSES = (BookingStatus.INTEREST, BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED,
                    BookingStatus.OFFERED)


class RefundStatus(models.TextChoices):
    NONE = "", _("No refund")
    PENDING = "pending", _("Refund due")
    REFUNDED = "refunded", _("Refunded")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Not yet known")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


class Booking(models.Model):
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="bookings")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="bookings")
    seats = models.PositiveSmallIntegerField(_("seats"))
    status = models.CharField(_("status"), max_length=20, choices=BookingStatus.choices)
    channel = models.CharField(_("channel"), max_length=10, default="online")
    amount_fen = models.PositiveIntegerField(_("amount (fen)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    # FIFO order on the waitlist (booking id by default; draw order for ballot losers).
    queue_position = models.BigIntegerField(_("queue position"), null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True)
    # The QR code carries `ticket_code` (96 random bits); `ticket_short` is what staff type when a QR will not
    # scan: 8 Crockford base32 characters, stored upper case without the dash (see bookings/tickets.py).
    ticket_code = models.CharField(_("ticket code"), max_length=32, null=True, blank=True, editable=False)
    ticket_short = models.CharField(_("ticket short code"), max_length=8, null=True, blank=True, editable=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), null=True,
                                      blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True,
                                  default=Attendance.UNKNOWN)
    refund_status = models.CharField(_("refund"), max_length=10, choices=RefundStatus.choices, blank=True,
                                     default=RefundStatus.NONE)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    ballot_weight = models.FloatField(_("ballot weight"), null=True, blank=True)
    ballot_rank = models.PositiveIntegerField(_("ballot rank"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], condition=Q(status__in=ACTIVE_STATUSES),
                                    name="uniq_active_booking_per_member_session",
                                    violation_error_code="already_booked",
                                    violation_error_message=_("You already have a booking for this session.")),
            models.UniqueConstraint(fields=["ticket_code"], name="uniq_booking_ticket_code",
                                    violation_error_code="ticket_code_taken",
                                    violation_error_message=_("This ticket code is already in use.")),
            models.UniqueConstraint(fields=["ticket_short"], name="uniq_booking_ticket_short",
                                    violation_error_code="ticket_short_taken",
                                    violation_error_message=_("This ticket code is already in use.")),
            models.CheckConstraint(condition=Q(seats__gte=1), name="booking_seats_positive",
                                   violation_error_code="seats", violation_error_message=_("Book at least one seat.")),
            models.CheckConstraint(condition=only_cny(), name="booking_currency_cny", violation_error_code="currency",
                                   violation_error_message=_("Prices are in renminbi (CNY).")),
        ]
        indexes = [
            models.Index(fields=["session", "status", "queue_position"]),
            models.Index(fields=["member", "status"]),
            models.Index(fields=["status", "hold_expires_at"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.member_id} → {self.session_id} ({self.status})"

    @property
    def ticket_short_display(self) -> str:
        """The typed form of the ticket, grouped for reading aloud ("7KQ4-M2XD")."""
        return f"{self.ticket_short[:4]}-{self.ticket_short[4:]}" if self.ticket_short else ""

    @property
    def owning_organisation(self) -> Organisation:
        return self.session.activity.facility.organisation


class WalkIn(models.Model):
    """A head-count of people served on site without bookings (a library visit, an open performance)."""

    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.PROTECT,
                                 related_name="walk_ins")
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="walk_ins")
    session = models.ForeignKey(Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="walk_ins")
    date = models.DateField(_("date"), validators=[MinValueValidator(
        WALKIN_EARLIEST_DATE, message=_("Enter a date in 2000 or later."))])
    persons = models.PositiveIntegerField(_("persons"), validators=[MinValueValidator(1),
                                                                    MaxValueValidator(WALKIN_MAX_PERSONS)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("walk-in count")
        verbose_name_plural = _("walk-in counts")
        constraints = [
            models.CheckConstraint(condition=Q(persons__gte=1), name="walkin_persons_positive",
                                   violation_error_code="persons_positive",
                                   violation_error_message=_("Count at least one person.")),
            models.CheckConstraint(condition=Q(persons__lte=WALKIN_MAX_PERSONS), name="walkin_persons_sane",
                                   violation_error_code="persons_sane",
                                   violation_error_message=_("Count at most 10,000 people in one entry.")),
            models.CheckConstraint(condition=Q(date__gte=WALKIN_EARLIEST_DATE), name="walkin_date_sane",
                                   violation_error_code="date_sane",
                                   violation_error_message=_("Enter a date in 2000 or later.")),
        ]

    @property
    def owning_organisation(self) -> Organisation:
        return self.facility.organisation


class Suspension(models.Model):
    """Online booking suspended after too many no-shows; shown to the member with reason and end."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="booking_suspensions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking suspension")
        verbose_name_plural = _("booking suspensions")
        indexes = [models.Index(fields=["member", "ends_at"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="suspension_range",
                                              violation_error_code="range",
                                              violation_error_message=_("The end must be after the start."))]


class CalendarFeed(models.Model):
    """A member's private iCalendar URL; rotating the token revokes the old URL."""

    member = models.OneToOneField(Member, verbose_name=_("member"), on_delete=models.CASCADE,
                                  related_name="calendar_feed")
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
