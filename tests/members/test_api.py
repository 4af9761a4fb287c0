import pytest
from django.core import mail

from portal.members.models import Member, Role, VerificationStatus
from portal.notifications.models import Message
from portal.notifications.sms import LocmemSmsBackend
from tests import factories
from tests.conftest import staff_client


@pytest.mark.django_db
def test_me_reads_profile_without_the_id_number(member_api, member):
    member.id_number_last4 = "4477"
    member.save()
    body = member_api.get("/api/v1/me/").json()
    assert body["member_number"] == member.member_number
    assert body["id_number_last4"] == "4477"
    assert "id_number" not in body and "id_number_hash" not in body


@pytest.mark.django_db
def test_me_update_normalises_phone_and_sends_verified_member_back_to_review(member_api, member):
    response = member_api.patch("/api/v1/me/", {"phone": "139-0000-1234", "real_name": "新名字"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "+8613900001234"
    member.refresh_from_db()
    assert member.real_name == "新名字"
    assert member.verification_status == VerificationStatus.PENDING


@pytest.mark.django_db
def test_me_language_only_does_not_reset_verification(member_api, member):
    assert member_api.patch("/api/v1/me/", {"language": "en"}, format="json").status_code == 200
    member.refresh_from_db()
    assert member.is_verified and member.user.language == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "field"), [
    ({"phone": "12345"}, "phone"),
    ({"id_number": "110101199003074478"}, "id_number"),
    ({"language": "fr"}, "language"),
])
def test_me_bad_input_is_a_field_error_and_changes_nothing(member_api, member, payload, field):
    before = Member.objects.values().get(pk=member.pk)
    response = member_api.patch("/api/v1/me/", {**payload, "real_name": "不应保存"}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Member.objects.values().get(pk=member.pk) == before


@pytest.mark.django_db
def test_me_phone_taken_by_another_account(member_api, orgs):
    factories.member(organisation=orgs["unit"], phone="+8613911112222")
    response = member_api.patch("/api/v1/me/", {"phone": "13911112222"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()["errors"]


@pytest.mark.django_db
def test_dependants_are_the_members_own(member_api, member, orgs):
    created = member_api.post("/api/v1/me/dependants/", {"name": "小王", "relation": "child",
                                                          "birth_date": "2015-05-01"}, format="json")
    assert created.status_code == 201
    other = factories.member(organisation=orgs["unit"])
    other_client = staff_client(other.user)
    assert other_client.delete(f"/api/v1/me/dependants/{created.json()['id']}/").status_code == 404
    assert member_api.get("/api/v1/me/dependants/").json()["count"] == 1
    future = member_api.post("/api/v1/me/dependants/", {"name": "未来", "relation": "child",
                                                         "birth_date": "2999-01-01"}, format="json")
    assert future.status_code == 400 and "birth_date" in future.json()["errors"]


@pytest.mark.django_db
def test_grassroots_list_is_public(api, orgs):
    names = {o["name"] for o in api.get("/api/v1/organisations/grassroots/").json()["results"]}
    assert orgs["unit"].name in names and orgs["city"].name not in names


@pytest.mark.django_db
class TestVerificationQueue:
    def test_officer_sees_pending_members_in_subtree_only(self, orgs):
        officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
        pending = factories.member(organisation=orgs["unit"], verified=False)
        factories.member(organisation=orgs["sibling_unit"], verified=False)
        body = staff_client(officer).get("/api/v1/staff/members/?status=pending").json()
        assert [m["id"] for m in body["results"]] == [pending.pk]

    def test_verify_notifies_the_member_in_app_by_email_and_sms(self, orgs, django_capture_on_commit_callbacks):
        officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
        pending = factories.member(organisation=orgs["unit"], verified=False)
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client(officer).post(f"/api/v1/staff/members/{pending.pk}/verify/")
        assert response.status_code == 200 and response.json()["verification_status"] == "verified"
        message = Message.objects.get(user=pending.user, kind="member_verified")
        assert orgs["unit"].name in message.body
        assert mail.outbox[-1].to == [pending.user.email]
        assert LocmemSmsBackend.outbox[-1][0] == pending.user.phone
        again = staff_client(officer).post(f"/api/v1/staff/members/{pending.pk}/verify/")
        assert again.status_code == 409 and again.json()["type"] == "already_verified"

    def test_reject_needs_a_reason(self, orgs):
        officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
        pending = factories.member(organisation=orgs["unit"], verified=False)
        client = staff_client(officer)
        blank = client.post(f"/api/v1/staff/members/{pending.pk}/reject/", {"reason": ""}, format="json")
        assert blank.status_code == 400 and "reason" in blank.json()["errors"]
        done = client.post(f"/api/v1/staff/members/{pending.pk}/reject/", {"reason": "单位名称不符"}, format="json")
        assert done.status_code == 200
        pending.refresh_from_db()
        assert pending.verification_status == VerificationStatus.REJECTED
        assert pending.rejection_reason == "单位名称不符"

    def test_sibling_staff_get_404_for_objects_and_403_for_lists(self, orgs):
        sibling_officer = factories.staff(organisation=orgs["sibling"], role=Role.UNION_OFFICER)
        pending = factories.member(organisation=orgs["unit"], verified=False)
        client = staff_client(sibling_officer)
        assert client.get(f"/api/v1/staff/members/{pending.pk}/").status_code == 404
        assert client.post(f"/api/v1/staff/members/{pending.pk}/verify/").status_code == 404
        assert client.get(f"/api/v1/staff/members/?org={orgs['city'].pk}").status_code == 403
        pending.refresh_from_db()
        assert pending.verification_status == VerificationStatus.PENDING

    def test_staff_without_totp_and_members_are_refused(self, orgs, member_api):
        no_mfa = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False)
        response = staff_client(no_mfa).get("/api/v1/staff/members/")
        assert response.status_code == 403
        assert response.json()["type"] == "permission_denied"
        assert member_api.get("/api/v1/staff/members/").status_code == 403

    def test_wrong_role_cannot_verify(self, orgs):
        manager = factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER)
        pending = factories.member(organisation=orgs["unit"], verified=False)
        assert staff_client(manager).post(f"/api/v1/staff/members/{pending.pk}/verify/").status_code == 404
