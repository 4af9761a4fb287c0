"""Checking roster rows: each row alone (name, ID checksum and birth date, age at term start, shares,
phone), duplicates inside the file, then in batches against the database (members matched by ID hash,
their union and name, enrolments they already hold in the scheme).

The same checks run twice: when the roster is validated (to count and report) and again inside the
commit transaction (so what is written is what the database holds at that moment, not at preview time).
A CheckedRow never holds the resident ID in clear: only its keyed hash, its last four and the birth date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.models import Enrolment, EnrolmentStatus, Scheme
from portal.copying import filter_in
from portal.members import permissions
from portal.members.identity import age_on, id_number_parse, phone_normalise
from portal.members.models import Member
from portal.members.permissions import Action
from portal.members.validators import person_name_normalise, validate_person_name
from portal.privacy import mask_id_number

from .reading import RawRow

BATCH_ROWS = 2000  # rows checked against the database per query round (and written per batch on commit)

BAD_ID = _("The resident ID number is not valid (check digit or birth date).")
NO_ID = _("The resident ID number is missing.")
DUPLICATE_ID = _("The same resident ID number is already on row %(row)s.")
BAD_SHARES = _("Shares must be a whole number from 1 to %(max)s.")
BAD_PHONE = _("The phone number is not a valid mainland mobile number.")
TOO_YOUNG = _("Under the scheme's minimum age of %(age)s at the start of the term.")
TOO_OLD = _("Over the scheme's maximum age of %(age)s at the start of the term.")
ALREADY_ENROLLED = _("This person is already enrolled in this scheme.")
NAME_MISMATCH = _("The name differs from the name registered for this resident ID number.")
# Deliberately vague: the officer must not learn where outside their subtree the person is a member.
NOT_HERE = _("This person cannot be enrolled from this roster; ask them to contact their union.")


@dataclass
class CheckedRow:
    number: int
    name: str
    masked_id: str  # all but the last four characters starred out
    id_hash: str = ""
    birth_date: date | None = None
    phone: str = ""  # E.164, or empty
    shares: int = 0
    member_id: int | None = None  # the existing member with this ID number, if any
    member_organisation_id: int | None = None
    model_worker: bool = False
    skilled_worker: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_line(self) -> str:
        """The row as checked, for the commit (no clear ID: the hash, last four and birth date)."""
        return json.dumps([self.number, self.name, self.masked_id, self.id_hash, self.birth_date.isoformat(),
                           self.phone, self.shares], ensure_ascii=False) + "\n"

    @classmethod
    def from_line(cls, line: str) -> CheckedRow:
        number, name, masked_id, id_hash, birth, phone, shares = json.loads(line)
        return cls(number=number, name=name, masked_id=masked_id, id_hash=id_hash,
                   birth_date=date.fromisoformat(birth), phone=phone, shares=shares)


@dataclass
class RowChecker:
    """Checks rows one by one (no database); remembers the ID numbers seen for the duplicate check."""

    scheme: Scheme
    seen: dict[str, int] = field(default_factory=dict)
    today: date = field(default_factory=timezone.localdate)

    def check(self, raw: RawRow) -> CheckedRow:
        row = CheckedRow(number=raw.number, name=person_name_normalise(raw.name),
                         masked_id=mask_id_number(raw.id_number))
        try:
            validate_person_name(raw.name)
        except ValidationError as exc:
            row.errors.extend(exc.messages)
        self._check_id(raw.id_number, row)
        try:
            row.shares = int(raw.shares.strip().removesuffix(".0"))
        except ValueError:
            row.shares = 0
        if not 1 <= row.shares <= self.scheme.max_shares:
            row.errors.append(str(BAD_SHARES % {"max": self.scheme.max_shares}))
        if raw.phone.strip():
            try:
                row.phone = phone_normalise(raw.phone)
            except ValidationError:
                row.errors.append(str(BAD_PHONE))
        return row

    def _check_id(self, raw_id: str, row: CheckedRow) -> None:
        if not raw_id.strip():
            row.errors.append(str(NO_ID))
            return
        try:
            parsed = id_number_parse(raw_id.strip().upper())  # a typed lower-case x is still the check digit
        except ValidationError:
            row.errors.append(str(BAD_ID))
            return
        row.id_hash, row.birth_date = parsed.hash, parsed.birth_date
        row.masked_id = "*" * 14 + parsed.last4
        first = self.seen.setdefault(parsed.hash, row.number)
        if first != row.number:
            row.errors.append(str(DUPLICATE_ID % {"row": first}))
        scheme = self.scheme
        if parsed.birth_date > self.today:
            row.errors.append(str(BAD_ID))
            return
        age = age_on(parsed.birth_date, scheme.term_start)
        if scheme.min_age is not None and age < scheme.min_age:
            row.errors.append(str(TOO_YOUNG % {"age": scheme.min_age}))
        if scheme.max_age is not None and age > scheme.max_age:
            row.errors.append(str(TOO_OLD % {"age": scheme.max_age}))


def check_against_database(rows: list[CheckedRow], *, scheme: Scheme, actor) -> None:
    """Match rows to members by ID hash and flag what the database makes wrong (three queries a batch)."""
    by_hash: dict[str, list[CheckedRow]] = {}
    for row in rows:
        if row.id_hash:
            by_hash.setdefault(row.id_hash, []).append(row)
    if not by_hash:
        return
    members = (filter_in(Member.objects.all(), "id_number_hash", by_hash).select_related("organisation")
               .only("id", "id_number_hash", "real_name", "model_worker_level", "skilled_worker",
                     "organisation__path"))
    matched: dict[int, list[CheckedRow]] = {}
    for member in members:
        in_scope = permissions.can(actor, Action.IMPORT_ROSTER, member)
        for row in by_hash[member.id_number_hash]:
            if not in_scope:
                row.errors.append(str(NOT_HERE))
                continue
            if person_name_normalise(member.real_name) != row.name:
                row.errors.append(str(NAME_MISMATCH))
            row.member_id, row.member_organisation_id = member.pk, member.organisation_id
            row.model_worker, row.skilled_worker = member.is_model_worker, member.skilled_worker
            matched.setdefault(member.pk, []).append(row)
    if matched:
        enrolled = (filter_in(Enrolment.objects.all(), "member", matched)
                    .filter(scheme=scheme, insured_dependant__isnull=True)
                    .exclude(status=EnrolmentStatus.CANCELLED).values_list("member_id", flat=True))
        for member_id in enrolled:
            for row in matched[member_id]:
                row.errors.append(str(ALREADY_ENROLLED))


def checked_batches(raw_rows: Iterable[RawRow], *, scheme: Scheme, actor,
                    batch_rows: int = BATCH_ROWS) -> Iterator[list[CheckedRow]]:
    """Every row checked, in batches of `batch_rows` (streaming: one batch in memory at a time)."""
    checker = RowChecker(scheme=scheme)
    iterator = iter(raw_rows)
    while batch := [checker.check(raw) for raw in islice(iterator, batch_rows)]:
        check_against_database(batch, scheme=scheme, actor=actor)
        yield batch


def rechecked_batches(lines: Iterable[str], *, scheme: Scheme, actor,
                      batch_rows: int = BATCH_ROWS) -> Iterator[list[CheckedRow]]:
    """Rows that passed validation (CheckedRow.to_line), checked again against the database as it is now."""
    iterator = iter(lines)
    while batch := [CheckedRow.from_line(line) for line in islice(iterator, batch_rows)]:
        check_against_database(batch, scheme=scheme, actor=actor)
        yield batch
