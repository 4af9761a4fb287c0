import pytest
from django.test import Client

from portal.members.models import Role

from .. import factories


@pytest.fixture
def people(orgs):
    """A verified and a pending member under the city; staff of the city, of the sibling city, and without MFA."""
    return {
        "member": factories.member(organisation=orgs["unit"], real_name="王会员"),
        "pending": factories.member(organisation=orgs["unit2"], verified=False, real_name="张待审"),
        "sibling_pending": factories.member(organisation=orgs["sibling_unit"], verified=False, real_name="李乙市"),
        "officer": factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER),
        "sibling_officer": factories.staff(organisation=orgs["sibling"], role=Role.UNION_OFFICER),
        "palace": factories.staff(organisation=orgs["city"], role=Role.FACILITY_MANAGER),
        "no_mfa": factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False),
    }


def client_for(user) -> Client:
    return factories.sign_in(Client(), user)
