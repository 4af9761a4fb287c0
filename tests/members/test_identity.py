import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from portal.members.identity import id_number_parse, phone_normalise
from tests import factories

VALID = factories.VALID_ID_NUMBERS[1]  # 110101199003074477


def test_valid_id_number_is_reduced_to_hash_last4_and_birth_date():
    parsed = id_number_parse(VALID)
    assert parsed.last4 == "4477"
    assert str(parsed.birth_date) == "1990-03-07"
    assert len(parsed.hash) == 64 and VALID not in parsed.hash


def test_lowercase_x_is_the_same_number():
    assert id_number_parse("11010519491231002x").hash == id_number_parse("11010519491231002X").hash


@pytest.mark.parametrize("bad", ["110101199003074478", "12345", "11010119900307447A", "", "110101199013074477"])
def test_invalid_id_numbers_are_refused(bad):
    with pytest.raises(ValidationError):
        id_number_parse(bad)


def test_hash_is_keyed(settings):
    first = id_number_parse(VALID).hash
    settings.ID_NUMBER_HMAC_KEY = "another-key"
    assert id_number_parse(VALID).hash != first


@pytest.mark.parametrize(("raw", "expected"), [
    ("13800000001", "+8613800000001"),
    ("138 0000 0001", "+8613800000001"),
    ("+86 138-0000-0001", "+8613800000001"),
    ("008613800000001", "+8613800000001"),
])
def test_phone_is_normalised_to_e164(raw, expected):
    assert phone_normalise(raw) == expected


@pytest.mark.parametrize("bad", ["12800000001", "1380000000", "+1 650 555 0100", "phone"])
def test_bad_phones_are_refused(bad):
    with pytest.raises(ValidationError):
        phone_normalise(bad)


@pytest.mark.django_db
def test_database_never_holds_the_full_id_number(orgs):
    member = factories.member(organisation=orgs["unit"], id_number=VALID)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member WHERE id = %s", [member.pk])
        row = cursor.fetchone()
    assert all(VALID not in str(value) for value in row)
    assert member.id_number_last4 == "4477"


def _stdnum_accepts(number: str) -> bool:
    from stdnum.cn import ric

    try:
        return ric.is_valid(number)
    except KeyError:  # python-stdnum's place lookup fails this way for province-level codes
        return False


@given(base=st.sampled_from(factories.VALID_ID_NUMBERS),
       edits=st.lists(st.tuples(st.integers(0, 17), st.sampled_from("0123456789X")), max_size=3))
def test_the_fast_check_agrees_with_python_stdnum(base, edits):
    """id_number_parse runs ric.validate's steps with one cleaning and a cached place lookup: same verdicts."""
    chars = list(base)
    for position, char in edits:
        chars[position] = char
    number = "".join(chars)
    try:
        id_number_parse(number)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == _stdnum_accepts(number)
