"""Person names refuse control characters, invisible format characters, emoji and formula punctuation
(issue 7 hole 5), in the API, the sign-up form, the profile and dependant forms and the services."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from portal.members import services
from portal.members.models import Member, User
from portal.members.validators import validate_person_name
from tests import factories
from tests.frontend.conftest import client_for

GOOD = ["王建国", "欧阳娜娜", "阿依古丽·买买提", "阿依古丽・买买提", "José María", "Zoë O'Brien-Smith",
        "Nguye\u0302\u0303n", "Nguyễn Văn An", "Ólafur Arnalds", "བཀྲ་ཤིས"]
BAD = ["", "   ", "王\x07建国", "王\u200b建国", "王\u202e建国", "王\u2066建国\u2069", "王\ue000", "王\ud800",
       "王😀", "王\u2764\ufe0f", "王\u200d", "👍", "=HYPERLINK(\"http://evil.example\",\"x\")", "<b>王</b>",
       "王建国1", "a\u0301\u0301\u0301\u0301\u0301", "·-'"]


@pytest.mark.parametrize("name", GOOD)
def test_real_names_in_many_scripts_are_accepted(name):
    validate_person_name(name)


@pytest.mark.parametrize("name", BAD)
def test_control_format_private_emoji_and_formula_characters_are_refused(name):
    with pytest.raises(ValidationError):
        validate_person_name(name)


@pytest.mark.parametrize("name", ["王😀", "王\u202e建国", "=1+1"])
def test_api_profile_and_dependants_refuse_such_names_and_change_nothing(member_api, member, name):
    response = member_api.patch("/api/v1/me/", {"real_name": name}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["real_name"]
    member.refresh_from_db()
    assert member.real_name != name
    dependant = member_api.post("/api/v1/me/dependants/", {"name": name, "relation": "child",
                                                             "birth_date": "2015-03-01"}, format="json")
    assert dependant.status_code == 400 and list(dependant.json()["errors"]) == ["name"]
    assert not member.dependants.exists()


def test_a_good_name_is_saved_with_one_kind_of_middle_dot(member_api, member):
    # The katakana middle dot some input methods type becomes the standard one (U+00B7), so names match.
    assert member_api.patch("/api/v1/me/", {"real_name": " 阿依古丽・买买提 "}, format="json").status_code == 200
    member.refresh_from_db()
    assert member.real_name == "阿依古丽·买买提"


def test_services_refuse_them_whoever_calls(orgs, member):
    user = factories.user()
    with pytest.raises(ValidationError) as exc:
        services.member_create(user=user, real_name="王\x00", organisation=orgs["unit"])
    assert "real_name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.member_update_profile(member=member, data={"real_name": "王🙂"})
    assert "real_name" in exc.value.message_dict


def test_profile_and_dependant_forms_show_the_error_on_the_field(member, orgs):
    client = client_for(member.user)
    response = client.post(reverse("frontend:profile_edit"), {
        "real_name": "王😀", "organisation": orgs["unit"].pk, "phone": ""})
    assert "field--invalid" in response.content.decode()
    member.refresh_from_db()
    assert member.real_name != "王😀"
    response = client.post(reverse("frontend:dependant_create"),
                           {"name": "小\u200b王", "relation": "child", "birth_date": "2015-03-01"})
    assert response.status_code == 400 and not member.dependants.exists()


@pytest.mark.django_db
def test_signup_refuses_such_a_name(orgs):
    payload = {"email": "newbie@example.com", "phone": "139 1234 5678", "password": "Strong-pass-2026",
               "real_name": "赵\u202e新人", "organisation": orgs["unit"].pk}
    response = APIClient().post("/_allauth/app/v1/auth/signup", payload, format="json")
    assert response.status_code == 400
    assert "real_name" in {e["param"] for e in response.json()["errors"]}
    assert not User.objects.exists() and not Member.objects.exists()
    page = APIClient().post(reverse("account_signup"), {**payload, "password1": payload["password"],
                                                        "password2": payload["password"]})
    assert page.status_code == 200 and "real_name" in page.context["form"].errors
    assert not User.objects.exists()
