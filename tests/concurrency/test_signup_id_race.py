"""Two registrants give the same resident ID number at the same moment (PostgreSQL, one connection each).

The second one's check cannot see the first one's uncommitted row, so the unique index decides: the loser
must still be signed up like anybody else (no error that would reveal the number is taken), flagged for
staff, and the winner keeps the hash."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction

from portal.members.models import Member
from portal.members.services import member_create
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ID_NUMBER = factories.VALID_ID_NUMBERS[2]


def test_a_lost_race_on_the_id_hash_is_a_flagged_sign_up_not_an_error(orgs):
    first_user, second_user = factories.user(), factories.user()
    first_inserted, release_first = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                member_create(user=first_user, real_name="先到", organisation=orgs["unit"], id_number=ID_NUMBER)
                first_inserted.set()
                release_first.wait(timeout=30)  # hold the row uncommitted while the second one checks
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def second():
        try:
            first_inserted.wait(timeout=30)
            member_create(user=second_user, real_name="后到", organisation=orgs["unit"], id_number=ID_NUMBER)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_inserted.wait(timeout=30)
    time.sleep(1)  # the second insert is now waiting on the unique index
    release_first.set()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    winner, loser = Member.objects.get(user=first_user), Member.objects.get(user=second_user)
    assert winner.id_number_hash and not winner.id_number_conflict
    assert loser.id_number_hash is None and loser.id_number_conflict
    assert loser.id_number_last4 == ID_NUMBER[-4:]
