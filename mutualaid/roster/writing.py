"""The bulk writes of a roster commit, one batch of checked rows at a time, inside the caller's transaction.

Per batch: placeholder accounts and pending members for rows no member matched, then one enrolment per
row, then (for a union-funded scheme, whose enrolments are active at once) one ServiceRecord per enrolment:
the same rows mutualaid.services.enrolment writes for one person (cover start, renewal, status, the
service record on the day cover starts, channel offline), written with COPY (portal.copying.insert_rows; the
ledger rows through portal.stats.services.LedgerBulk, so they are counted once per source and reach the
rollups like any other: `finish()` marks their days at the end of the transaction). The database's unique
indexes (one enrolment per person per scheme, one member per ID hash, one counted source) make a concurrent
write elsewhere fail the whole transaction rather than slip in twice.
A scheme the members pay for gets its Payment rows through the same contribution_due signal as one
enrolment (row by row: slower, and only for such schemes).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from mutualaid.models import COVERING_STATUSES, Enrolment, EnrolmentSource, EnrolmentStatus, RosterImport, Scheme
from mutualaid.services.enrolment import cover_start
from mutualaid.signals import contribution_due
from portal.copying import filter_in, insert_rows
from portal.members.models import Member, User, VerificationStatus
from portal.stats.models import Channel, ServiceKind
from portal.stats.services import LedgerBulk

from .validation import CheckedRow

PLACEHOLDER_DOMAIN = "roster.invalid"  # RFC 2606: never a deliverable address


def placeholder_email(roster_id: int, row_number: int) -> str:
    return f"pending-r{roster_id}-{row_number}@{PLACEHOLDER_DOMAIN}"


@dataclass
class RosterWriter:
    roster: RosterImport
    scheme: Scheme
    now: datetime = field(default_factory=timezone.now)
    phones_used: set[str] = field(default_factory=set)
    member_numbers: set[str] = field(default_factory=set)
    new_members: int = 0
    matched_members: int = 0
    ledger: LedgerBulk = field(default_factory=LedgerBulk)

    def __post_init__(self) -> None:
        self.enrolment_type = ContentType.objects.get_for_model(Enrolment)
        self.funded = self.scheme.union_funded  # active at once: nobody pays, the union does
        self.today = timezone.localdate()
        # An unusable password per import (Django's "!" prefix): the account cannot sign in until reset.
        self.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)

    def write(self, rows: list[CheckedRow]) -> None:
        new_rows = [row for row in rows if row.member_id is None]
        if new_rows:
            self._create_members(new_rows)
        self.new_members += len(new_rows)
        self.matched_members += len(rows) - len(new_rows)
        enrolment_ids, starts = self._create_enrolments(rows)
        if self.funded:
            self.ledger.add(source_type=self.enrolment_type, rows=[
                {"source_id": enrolment_id, "date": starts_on,
                 "organisation_id": row.member_organisation_id, "kind": ServiceKind.MUTUAL_AID.value,
                 "channel": Channel.OFFLINE.value, "persons": 1, "model_worker": row.model_worker,
                 "skilled_worker": row.skilled_worker}
                for row, enrolment_id, starts_on in zip(rows, enrolment_ids, starts, strict=True)])
        elif self.scheme.contribution_fen > 0:
            for enrolment in Enrolment.objects.filter(pk__in=enrolment_ids).select_related("scheme", "member"):
                contribution_due.send(sender=Enrolment, enrolment=enrolment)

    def finish(self) -> None:
        """After the last batch, in the same transaction: the ledger rows' days are marked for the rollups."""
        self.ledger.close()

    def _free_phones(self, rows: list[CheckedRow]) -> set[str]:
        wanted = {row.phone for row in rows if row.phone} - self.phones_used
        taken = set(filter_in(User.objects.all(), "phone", wanted).values_list("phone", flat=True))
        return wanted - taken

    def _member_numbers(self, count: int) -> list[str]:
        year = f"{self.now:%Y}"
        numbers: list[str] = []
        while len(numbers) < count:
            candidates = {f"{year}{secrets.randbelow(10**8):08d}" for _i in range(count - len(numbers) + 8)}
            candidates -= self.member_numbers
            candidates -= set(filter_in(Member.objects.all(), "member_number", candidates)
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
            users.append({"email": placeholder_email(self.roster.pk, row.number), "password": self.password,
                          "phone": phone, "is_active": True, "date_joined": self.now})
        user_ids = insert_rows(User, users)
        organisation_id = self.roster.organisation_id
        member_ids = insert_rows(Member, [
            {"user_id": user_id, "member_number": number, "real_name": row.name, "organisation_id": organisation_id,
             "id_number_hash": row.id_hash, "id_number_last4": row.masked_id[-4:], "birth_date": row.birth_date,
             "verification_status": VerificationStatus.PENDING.value}
            for row, user_id, number in zip(rows, user_ids, self._member_numbers(len(rows)), strict=True)])
        for row, member_id in zip(rows, member_ids, strict=True):
            row.member_id, row.member_organisation_id = member_id, organisation_id

    def _renewing(self, member_ids: list[int]) -> set[int]:
        """mutualaid.services.enrolment.is_renewal for a batch: covered by the same union's scheme of the
        same kind until the day before this term starts (no gap, so no waiting period)."""
        scheme = self.scheme
        return set(filter_in(Enrolment.objects.all(), "member", member_ids).filter(
            insured_dependant__isnull=True, status__in=COVERING_STATUSES,
            scheme__organisation_id=scheme.organisation_id, scheme__kind=scheme.kind,
            scheme__term_start__lt=scheme.term_start,
            scheme__term_end__gte=scheme.term_start - timedelta(days=1),
        ).exclude(scheme=scheme).values_list("member_id", flat=True))

    def _create_enrolments(self, rows: list[CheckedRow]) -> tuple[list[int], list]:
        scheme = self.scheme
        renewing = self._renewing([row.member_id for row in rows if row.member_id is not None])
        status = (EnrolmentStatus.ACTIVE if self.funded else EnrolmentStatus.PENDING_PAYMENT).value
        starts = [cover_start(scheme=scheme, enrolled_on=self.today, renewal=row.member_id in renewing)
                  for row in rows]
        ids = insert_rows(Enrolment, [
            {"scheme_id": scheme.pk, "member_id": row.member_id, "insured_dependant_id": None, "shares": row.shares,
             "status": status, "cover_starts_on": starts_on, "renewal": row.member_id in renewing,
             "amount_fen": scheme.price_fen(row.shares), "currency": str(scheme.currency),
             "source": EnrolmentSource.ROSTER.value, "roster_import_id": self.roster.pk,
             "activated_at": self.now if self.funded else None}
            for row, starts_on in zip(rows, starts, strict=True)])
        return ids, starts
