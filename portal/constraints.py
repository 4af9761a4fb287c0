"""Database constraints as field errors, in one place.

Every CheckConstraint and UniqueConstraint carries a translated `violation_error_message` and a
`violation_error_code` (tests/test_constraints.py holds every model to it). `FIELDS` names the form or
API field to blame for each constraint, so the same message lands beside that field whether it comes from
`full_clean()` (services), a ModelForm (`ConstraintErrorsFormMixin`) or the database itself when a
concurrent request slipped past both (`integrity_error()`). A constraint's raw name never reaches a user.
"""

from __future__ import annotations

import copy
import functools
import re

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models

# constraint name -> the field the user can change to satisfy it
FIELDS = {
    "activity_window_opens_before_close": "closes_hours_before",
    "activity_age_range": "max_age",
    "activity_currency_cny": "currency",
    "session_booked_non_negative": "capacity",
    "session_booked_within_capacity": "capacity",
    "session_ends_after_start": "end",
    "uniq_active_booking_per_member_session": "session",
    "booking_seats_positive": "seats",
    "booking_currency_cny": "currency",
    "uniq_booking_ticket_code": "ticket_code",
    "uniq_booking_ticket_short": "ticket_short",
    "walkin_persons_positive": "persons",
    "walkin_persons_sane": "persons",
    "walkin_date_sane": "date",
    "suspension_range": "ends_at",
    "uniq_venue_name_per_facility": "name",
    "venue_capacity_positive": "capacity",
    "uniq_asset_record_year": "year",
    "asset_book_value_non_negative": "book_value_fen",
    "asset_built_not_after_year": "year_built",
    "asset_currency_cny": "currency",
    "uniq_room_type_name_per_facility": "name",
    "room_type_rooms_sane": "rooms",
    "room_type_beds_sane": "beds",
    "room_type_member_price_sane": "member_price_fen",
    "room_type_companion_price_sane": "companion_price_fen",
    "room_type_currency_cny": "currency",
    "uniq_room_night": "date",
    "room_night_taken_non_negative": "rooms_taken",
    "room_night_taken_within_open": "rooms_open",
    "room_night_open_sane": "rooms_open",
    "policy_max_stay_sane": "max_stay_nights",
    "policy_horizon_sane": "booking_horizon_days",
    "policy_cancel_deadline_sane": "cancel_deadline_hours",
    "policy_free_nights_sane": "free_member_nights_per_year",
    "policy_member_subsidy_sane": "member_subsidy_percent",
    "policy_companion_subsidy_sane": "companion_subsidy_percent",
    "stay_check_out_after_check_in": "check_out",
    "stay_rooms_sane": "rooms",
    "stay_subsidy_within_amount": "subsidy_fen",
    "stay_currency_cny": "currency",
    "uniq_stay_member_guest": "is_member",
    "uniq_stay_dependant_guest": "dependant",
    "stay_guest_member_or_dependant": "dependant",
    "stay_guest_nights_positive": "nights",
    "uniq_service_record_source": "source_id",
    "service_record_persons_positive": "persons",
    "uniq_service_source": "source_id",
    "uniq_stats_target": "metric",
    "stats_target_year": "year",
    "stats_export_progress_max": "progress",
    "uniq_daily_rollup_key": "date",
    "uniq_monthly_rollup_key": "month",
    "uniq_export_template_name": "name",
    "uniq_role_grant": "role",
    "dependant_birth_date_sane": "birth_date",
    "payment_exactly_one_payable": "booking",
    "payment_amount_is_share_plus_subsidy": "amount_fen",
    "payment_member_share_positive": "member_share_fen",
    "payment_refund_within_share": "amount_fen",
    "refund_amount_positive": "amount_fen",
    "programme_once_in_years_positive": "once_in_years",
    "programme_skilled_share_max": "skilled_share_percent",
    "batch_ends_after_start": "end_date",
    "batch_application_window": "applications_close",
    "batch_places_positive": "places",
    "batch_block_has_rooms": "rooms",
    "batch_participants_within_places": "places",
    "uniq_allocation_per_batch_org": "organisation",
    "allocation_counters_non_negative": "places",
    "allocation_within_places": "places",
    "allocation_skilled_within_used": "places",
    "allocation_skilled_reservation_kept": "skilled_reserved",
    "uniq_active_application_per_member_batch": "batch",
    "application_place_when_approved": "status",
    "scheme_term_years_range": "term_years",
    "scheme_term_order": "term_end",
    "scheme_window_order": "enrolment_closes_on",
    "scheme_window_in_term": "enrolment_opens_on",
    "scheme_max_shares_range": "max_shares",
    "scheme_age_range": "max_age",
    "scheme_contribution_positive": "contribution_fen",
    "scheme_waiting_period_sane": "waiting_period_days",
    "scheme_ratio_percent_range": "ratio_percent",
    "scheme_cap_per_claim_positive": "cap_per_claim_fen",
    "scheme_term_cap_covers_claim_cap": "cap_per_term_fen",
    "scheme_alert_ratio_range": "alert_loss_ratio_percent",
    "scheme_currency_cny": "currency",
    "uniq_enrolment_self_per_scheme": "member",
    "uniq_enrolment_dependant_per_scheme": "insured_dependant",
    "uniq_enrolment_certificate_code": "certificate_code",
    "enrolment_shares_positive": "shares",
    "enrolment_roster_source": "roster_import",
    "enrolment_currency_cny": "currency",
    "uniq_claim_event_per_enrolment": "event_on",
    "claim_discharge_after_admission": "discharge_on",
    "claim_approved_has_amount": "approved_amount_fen",
    "claim_paid_has_reference": "payout_reference",
    "claim_currency_cny": "currency",
    "roster_rows_done_within_total": "rows_done",
    "roster_percent_range": "percent",
}


@functools.cache
def _by_name() -> dict[str, tuple[type[models.Model], models.BaseConstraint]]:
    return {c.name: (model, c) for model in apps.get_models() for c in model._meta.constraints}


@functools.cache
def _unique_columns() -> dict[tuple[str, ...], str]:
    """SQLite names the columns of a failed UNIQUE, not the constraint: ("table.col", ...) -> constraint name."""
    out: dict[tuple[str, ...], str] = {}
    for name, (model, constraint) in _by_name().items():
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            table = model._meta.db_table
            out[tuple(f"{table}.{model._meta.get_field(f).column}" for f in constraint.fields)] = name
    return out


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the constraint an IntegrityError broke (psycopg diagnostics; SQLite's message text)."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    text = str(exc)
    if match := re.search(r"CHECK constraint failed: (\w+)", text):
        return match.group(1)
    if match := re.search(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)", text):
        return _unique_columns().get(tuple(c.strip() for c in match.group(1).split(",")))
    return None


def field_of(name: str) -> str:
    return FIELDS.get(name, NON_FIELD_ERRORS)


def integrity_error(exc: IntegrityError) -> ValidationError | None:
    """The field error a constraint violation from the database stands for; None when it is not ours."""
    name = constraint_name(exc)
    found = _by_name().get(name) if name else None
    if found is None:
        return None
    constraint = found[1]
    error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
    return ValidationError({field_of(name): [error]})


def _codes(model: type[models.Model]) -> dict[str, str]:
    return {c.violation_error_code: c.name for c in model._meta.constraints if c.violation_error_code}


def on_fields(model: type[models.Model], exc: ValidationError, *, fields=None) -> ValidationError:
    """Move constraint errors (reported by Django as non-field errors) onto the field each one blames.

    `fields`: the fields a form shows; a constraint blaming another field stays a non-field error.
    """
    if not hasattr(exc, "error_dict"):
        exc = ValidationError({NON_FIELD_ERRORS: exc.error_list})
    codes = _codes(model)
    out: dict[str, list[ValidationError]] = {}
    for field, errors in exc.error_dict.items():
        for error in errors:
            target = field
            if field == NON_FIELD_ERRORS and error.code in codes:
                target = field_of(codes[error.code])
                if fields is not None and target not in fields:
                    target = NON_FIELD_ERRORS
            out.setdefault(target, []).append(error)
    return ValidationError(out)


def full_clean(instance: models.Model, **kwargs) -> None:
    """`instance.full_clean()` with every constraint error on its field (services call this, not full_clean)."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise on_fields(type(instance), exc) from None


class ConstraintErrorsFormMixin:
    """A ModelForm that runs the model's field validators and constraints with its own field checks, so one
    submission shows every error (field and cross-field), each constraint's message beside its field.

    The instance is copied: an invalid form must not leave half-applied values on the caller's object."""

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=copy.copy(instance) if instance is not None else None, **kwargs)

    def _update_errors(self, errors):
        super()._update_errors(on_fields(self._meta.model, errors, fields=set(self.fields)))
