"""The bulk writes of a roster commit, one batch of checked rows at a time, inside the caller's transaction.

Per batch: placeholder accounts and pending members for rows no member matched, then one enrolment per
row, then one ServiceRecord per enrolment (kind mutual_aid, one person-time per insured person per term).
Every table is written with bulk_create (multi-row INSERT ... RETURNING on PostgreSQL). The database's
own unique indexes (one enrolment per person per scheme, one member per ID hash, one service record per
source) make a concurrent write elsewhere fail the whole transaction rather than slip in twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from mutualaid.models import Enrolment, EnrolmentSource, EnrolmentStatus, RosterImport, Scheme
from portal.members.models import Member, User, VerificationStatus
from portal.stats.models import Channel, ServiceKind, ServiceRecord

from .validation import CheckedRow

PLACEHOLDER_DOMAIN = "roster.invalid"  # RFC 2606: never a deliverable address


def placeholder_email(roster_id: int, row_number: int) -> str:
    return f"pending-r{roster_id}-{row_number}@{PLACEHOLDER_DOMAIN}"


@dataclass
class RosterWriter:
    roster: RosterImport
    scheme: Scheme
    now: object = field(default_factory=timezone.now)
    phones_used: set[str] = field(default_factory=set)
    member_numbers: set[str] = field(default_factory=set)
    new_members: int = 0
    matched_members: int = 0

    def __post_init__(self) -> None:
        self.enrolment_type = ContentType.objects.get_for_model(Enrolment)
        self.active = self.scheme.union_funded  # a union-funded scheme needs no payment from anyone
        # An unusable password per import (Django's "!" prefix): the account cannot sign in until reset.
        self.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)

    def write(self, rows: list[CheckedRow]) -> None:
        new_rows = [row for row in rows if row.member_id is None]
        if new_rows:
            self._create_members(new_rows)
        self.new_members += len(new_rows)
        self.matched_members += len(rows) - len(new_rows)
        enrolments = self._create_enrolments(rows)
        ServiceRecord.objects.bulk_create([
            ServiceRecord(source_type=self.enrolment_type, source_id=enrolment.pk, date=self.scheme.term_start,
                          organisation_id=row.member_organisation_id, kind=ServiceKind.MUTUAL_AID,
                          channel=Channel.OFFLINE, persons=1, model_worker=row.model_worker,
                          skilled_worker=row.skilled_worker)
            for row, enrolment in zip(rows, enrolments, strict=True)])

    def _free_phones(self, rows: list[CheckedRow]) -> set[str]:
        wanted = {row.phone for row in rows if row.phone} - self.phones_used
        taken = set(User.objects.filter(phone__in=wanted).values_list("phone", flat=True))
        return wanted - taken

    def _member_numbers(self, count: int) -> list[str]:
        year = f"{self.now:%Y}"
        numbers: list[str] = []
        while len(numbers) < count:
            candidates = {f"{year}{secrets.randbelow(10**8):08d}" for _i in range(count - len(numbers) + 8)}
            candidates -= self.member_numbers
            candidates -= set(Member.objects.filter(member_number__in=candidates)
                              .values_list("member_number", flat=True))
            numbers.extend(list(candidates)[: count - len(numbers)])
            self.member_numbers.update(numbers)
        return numbers

    def _create_members(self, rows: list[CheckedRow]) -> None:
        free = self._free_phones(rows)
        users = []
        for row in rows:
            phone = row.phone if row.phone in free and row.phone not in self.phones_used else None
            if phone:
                self.phones_used.add(phone)
            users.append(User(email=placeholder_email(self.roster.pk, row.number), password=self.password,
                              phone=phone, is_active=True, date_joined=self.now))
        users = User.objects.bulk_create(users)
        organisation_id = self.roster.organisation_id
        members = Member.objects.bulk_create([
            Member(user_id=user.pk, member_number=number, real_name=row.name, organisation_id=organisation_id,
                   id_number_hash=row.id_hash, id_number_last4=row.masked_id[-4:], birth_date=row.birth_date,
                   verification_status=VerificationStatus.PENDING)
            for row, user, number in zip(rows, users, self._member_numbers(len(rows)), strict=True)])
        for row, member in zip(rows, members, strict=True):
            row.member_id, row.member_organisation_id = member.pk, organisation_id

    def _renewing(self, member_ids: list[int]) -> set[int]:
        """Members insured by the same organisation's scheme of this kind in the term just before (no gap):
        a renewal has no waiting period."""
        scheme = self.scheme
        if not member_ids or not scheme.waiting_period_days:
            return set()
        return set(Enrolment.objects.filter(
            Q(status=EnrolmentStatus.ACTIVE) | Q(status=EnrolmentStatus.EXPIRED),
            member_id__in=member_ids, insured_dependant__isnull=True, scheme__organisation_id=scheme.organisation_id,
            scheme__kind=scheme.kind, scheme__term_end__gte=scheme.term_start - timedelta(days=1),
            scheme__term_start__lt=scheme.term_start).values_list("member_id", flat=True))

    def _create_enrolments(self, rows: list[CheckedRow]) -> list[Enrolment]:
        scheme = self.scheme
        renewing = self._renewing([row.member_id for row in rows])
        after_waiting = max(scheme.term_start, timezone.localdate() + timedelta(days=scheme.waiting_period_days))
        status = EnrolmentStatus.ACTIVE if self.active else EnrolmentStatus.PENDING_PAYMENT
        return Enrolment.objects.bulk_create([
            Enrolment(scheme=scheme, member_id=row.member_id, shares=row.shares, status=status,
                      cover_starts_on=scheme.term_start if row.member_id in renewing else after_waiting,
                      renewal=row.member_id in renewing, amount_fen=scheme.price_fen(row.shares),
                      currency=scheme.currency, source=EnrolmentSource.ROSTER, roster_import=self.roster,
                      activated_at=self.now if self.active else None)
            for row in rows])
