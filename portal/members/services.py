"""Every write to members, dependants and role grants."""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import constraints
from portal.errors import Conflict, NotFound
from portal.notifications.services import notify

from . import permissions
from .identity import id_number_parse, phone_normalise
from .models import Dependant, Member, Organisation, OrganisationLevel, RoleGrant, User, VerificationStatus
from .permissions import Action
from .validators import person_name_normalise, validate_person_name

DUPLICATE_ID_MESSAGE = _("This ID number cannot be registered. If you think this is a mistake, contact your union.")


@contextmanager
def _errors_on(field: str):
    """Attach a bare ValidationError (from a validator) to `field`, so the API shows it beside that field."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({field: exc.messages}) from None


def _new_member_number() -> str:
    return f"{timezone.now():%Y}{secrets.randbelow(10**8):08d}"


def _check_grassroots(organisation: Organisation) -> None:
    if organisation.level != OrganisationLevel.GRASSROOTS:
        raise ValidationError({"organisation": [_("Choose your work unit's grassroots union.")]})


ID_FIELDS = ["id_number_hash", "id_number_last4", "birth_date", "id_number_conflict"]


def _apply_id_number(member: Member, raw: str, *, refuse_duplicate: bool) -> Member | None:
    """Keep the hash, last four and birth date of `raw`. A number already registered to another member is
    refused when staff enter it (`refuse_duplicate`); from the member themself it is accepted like any
    other, so the answer reveals nothing, but without the hash and flagged for staff. Returns the member
    holding the number in that case."""
    with _errors_on("id_number"):
        parsed = id_number_parse(raw)
    holder = Member.objects.select_related("user").filter(id_number_hash=parsed.hash).exclude(pk=member.pk).first()
    if holder is not None and refuse_duplicate:
        raise ValidationError({"id_number": [DUPLICATE_ID_MESSAGE]})
    member.id_number_hash = None if holder else parsed.hash
    member.id_number_conflict = holder is not None
    member.id_number_last4 = parsed.last4
    member.birth_date = parsed.birth_date
    return holder


def _save_member(member: Member, update_fields: list[str] | None = None, *,
                 refuse_duplicate: bool) -> Member | None:
    """Save; a race lost on the unique ID hash ends as the duplicate case of _apply_id_number, and the
    member who won it is returned."""
    try:
        with transaction.atomic():
            member.save(update_fields=update_fields)
    except IntegrityError as exc:
        if "id_number_hash" not in str(exc):
            raise
        if refuse_duplicate:
            raise ValidationError({"id_number": [DUPLICATE_ID_MESSAGE]}) from None
        claimed = member.id_number_hash
        member.id_number_hash, member.id_number_conflict = None, True
        with transaction.atomic():
            member.save(update_fields=update_fields)
        return Member.objects.select_related("user").filter(id_number_hash=claimed).first()
    return None


def _tell_id_holder(holder: Member | None) -> None:
    """The member whose ID number someone else just gave hears of it (at most once a day)."""
    if holder is None:
        return
    recent = holder.user.messages.filter(kind="id_number_claimed",
                                         created_at__gte=timezone.now() - timedelta(days=1))
    if not recent.exists():
        notify(user=holder.user, kind="id_number_claimed", context={"name": holder.real_name})


@transaction.atomic
def member_create(*, user: User, real_name: str, organisation: Organisation, id_number: str = "",
                  verified_by: User | None = None, **categories) -> Member:
    """A member for `user`: pending unless `verified_by` (staff importing a roster) is given."""
    _check_grassroots(organisation)
    with _errors_on("real_name"):
        validate_person_name(real_name)
    member = Member(user=user, real_name=person_name_normalise(real_name), organisation=organisation, **categories)
    refuse_duplicate = verified_by is not None  # staff importing a roster are told; a registrant is not
    holder = _apply_id_number(member, id_number, refuse_duplicate=refuse_duplicate) if id_number else None
    if verified_by is not None:
        member.verification_status = VerificationStatus.VERIFIED
        member.verified_by = verified_by
        member.verified_at = timezone.now()
    for _attempt in range(5):
        member.member_number = _new_member_number()
        if not Member.objects.filter(member_number=member.member_number).exists():
            break
    holder = _save_member(member, refuse_duplicate=refuse_duplicate) or holder
    _tell_id_holder(holder)
    return member


PROFILE_FIELDS = {"real_name", "organisation", "id_number", "phone", "language"}


@transaction.atomic
def member_update_profile(*, member: Member, data: dict) -> Member:
    """A member edits their own profile. Changing name, union or ID sends a verified member back to review."""
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    user = member.user
    member_fields: set[str] = set()
    user_fields: set[str] = set()
    needs_review = False
    if "real_name" in data and person_name_normalise(data["real_name"]) != member.real_name:
        with _errors_on("real_name"):
            validate_person_name(data["real_name"])
        member.real_name = person_name_normalise(data["real_name"])
        member_fields.add("real_name")
        needs_review = True
    if "organisation" in data and data["organisation"].pk != member.organisation_id:
        _check_grassroots(data["organisation"])
        member.organisation = data["organisation"]
        member_fields.add("organisation")
        needs_review = True
    holder = None
    if data.get("id_number"):
        holder = _apply_id_number(member, data["id_number"], refuse_duplicate=False)
        member_fields |= set(ID_FIELDS)
        needs_review = True
    if "phone" in data:
        with _errors_on("phone"):
            phone = phone_normalise(data["phone"]) if data["phone"] else None
        if phone and User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
            raise ValidationError({"phone": [_("This phone number is already used by another account.")]})
        if phone != user.phone:
            user.phone, user.phone_verified = phone, False
            user_fields |= {"phone", "phone_verified"}
    if "language" in data:
        user_set_language(user=user, language=data["language"])
    if needs_review and member.verification_status != VerificationStatus.PENDING:
        member.verification_status = VerificationStatus.PENDING
        member.verified_by, member.verified_at, member.rejection_reason = None, None, ""
        member_fields |= {"verification_status", "verified_by", "verified_at", "rejection_reason"}
    if member_fields:
        holder = _save_member(member, update_fields=sorted(member_fields), refuse_duplicate=False) or holder
    if user_fields:
        user.save(update_fields=sorted(user_fields))
    _tell_id_holder(holder)
    return member


def user_set_language(*, user: User, language: str) -> User:
    """Save the interface language of any account (members and staff alike)."""
    if language not in {code for code, _name in settings.LANGUAGES} | {""}:
        raise ValidationError({"language": [_("Choose one of the offered languages.")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def _member_for_staff(*, actor: User, member_id: int, action: Action) -> Member:
    member = Member.objects.select_for_update(of=("self",)).select_related("user", "organisation").filter(
        pk=member_id).first()
    if member is None or not permissions.can(actor, action, member):
        raise NotFound(_("Member not found."))
    return member


@transaction.atomic
def member_verify(*, actor: User, member_id: int) -> Member:
    member = _member_for_staff(actor=actor, member_id=member_id, action=Action.VERIFY_MEMBER)
    if member.verification_status == VerificationStatus.VERIFIED:
        raise Conflict(_("This member is already verified."), code="already_verified")
    member.verification_status = VerificationStatus.VERIFIED
    member.verified_by, member.verified_at, member.rejection_reason = actor, timezone.now(), ""
    member.save(update_fields=["verification_status", "verified_by", "verified_at", "rejection_reason"])
    notify(user=member.user, kind="member_verified",
           context={"name": member.real_name, "organisation": member.organisation.name})
    return member


@transaction.atomic
def member_reject(*, actor: User, member_id: int, reason: str) -> Member:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why, so the member can put it right.")]})
    member = _member_for_staff(actor=actor, member_id=member_id, action=Action.VERIFY_MEMBER)
    if member.verification_status == VerificationStatus.REJECTED:
        raise Conflict(_("This member is already rejected."), code="already_rejected")
    member.verification_status = VerificationStatus.REJECTED
    member.verified_by, member.verified_at, member.rejection_reason = actor, timezone.now(), reason.strip()
    member.save(update_fields=["verification_status", "verified_by", "verified_at", "rejection_reason"])
    notify(user=member.user, kind="member_rejected", context={"name": member.real_name, "reason": reason.strip()})
    return member


def dependant_add(*, member: Member, name: str, relation: str, birth_date: date) -> Dependant:
    if birth_date > timezone.localdate():
        raise ValidationError({"birth_date": [_("The birth date cannot be in the future.")]})
    dependant = Dependant(member=member, name=person_name_normalise(name), relation=relation, birth_date=birth_date)
    constraints.full_clean(dependant)  # also the 1900 lower bound on birth dates
    dependant.save()
    return dependant


def dependant_remove(*, member: Member, dependant_id: int) -> None:
    deleted, _rows = Dependant.objects.filter(member=member, pk=dependant_id).delete()
    if not deleted:
        raise NotFound(_("Dependant not found."))


def role_grant(*, user: User, organisation: Organisation, role: str) -> RoleGrant:
    grant, _created = RoleGrant.objects.get_or_create(user=user, organisation=organisation, role=role)
    permissions.forget_grants(user)
    return grant
