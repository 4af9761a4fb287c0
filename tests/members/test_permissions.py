"""The permission module as a table: role x where the grant sits x where the target sits x action."""

import pytest
from django.test import Client

from portal.members import permissions
from portal.members.models import Member, Role
from portal.members.permissions import Action
from tests import factories

# (role, granted at, target organisation, action, allowed)
TABLE = [
    (Role.UNION_OFFICER, "city", "unit", Action.VERIFY_MEMBER, True),      # grant covers the subtree
    (Role.UNION_OFFICER, "city", "city", Action.VERIFY_MEMBER, True),
    (Role.UNION_OFFICER, "county", "unit", Action.VERIFY_MEMBER, True),
    (Role.UNION_OFFICER, "county", "unit2", Action.VERIFY_MEMBER, False),  # unit2 hangs off the city, not the county
    (Role.UNION_OFFICER, "city", "sibling_unit", Action.VERIFY_MEMBER, False),  # sibling city
    (Role.UNION_OFFICER, "unit", "city", Action.VERIFY_MEMBER, False),     # never upwards
    (Role.UNION_OFFICER, "province", "sibling_unit", Action.VERIFY_MEMBER, True),
    (Role.UNION_OFFICER, "city", "unit", Action.MANAGE_FACILITY, False),   # wrong role
    (Role.FACILITY_MANAGER, "city", "unit", Action.MANAGE_FACILITY, True),
    (Role.FACILITY_MANAGER, "city", "unit", Action.CHECK_IN, True),
    (Role.FACILITY_MANAGER, "city", "unit", Action.VERIFY_MEMBER, False),
    (Role.FACILITY_MANAGER, "city", "unit", Action.VIEW_MEMBER, False),
    (Role.MUTUALAID_OFFICER, "city", "unit", Action.APPROVE_CLAIM, True),
    (Role.MUTUALAID_OFFICER, "city", "unit", Action.VIEW_MEMBER, True),
    (Role.MUTUALAID_OFFICER, "city", "unit", Action.VERIFY_MEMBER, False),
    (Role.MUTUALAID_OFFICER, "city", "sibling", Action.APPROVE_CLAIM, False),
    (Role.STATISTICIAN, "province", "unit", Action.VIEW_STATS, True),
    (Role.STATISTICIAN, "province", "national", Action.VIEW_STATS, False),
    (Role.STATISTICIAN, "province", "unit", Action.VIEW_MEMBER, False),
    (Role.STATISTICIAN, "province", "unit", Action.APPROVE_CLAIM, False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "granted_at", "target", "action", "allowed"), TABLE)
def test_permission_table(orgs, role, granted_at, target, action, allowed):
    user = factories.staff(organisation=orgs[granted_at], role=role)
    assert permissions.can(user, action, orgs[target]) is allowed


@pytest.mark.django_db
def test_objects_answer_through_their_organisation(orgs):
    officer = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    inside = factories.member(organisation=orgs["unit"])
    outside = factories.member(organisation=orgs["sibling_unit"])
    assert permissions.can(officer, Action.VERIFY_MEMBER, inside)
    assert not permissions.can(officer, Action.VERIFY_MEMBER, outside)


@pytest.mark.django_db
def test_default_is_deny(orgs):
    plain_member = factories.member(organisation=orgs["unit"])
    for action in Action:
        assert not permissions.can(plain_member.user, action, orgs["unit"])
    assert not permissions.is_staff_member(plain_member.user)


@pytest.mark.django_db
def test_anonymous_is_denied(orgs):
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.can(AnonymousUser(), Action.VIEW_MEMBER, orgs["unit"])


@pytest.mark.django_db
def test_scope_keeps_only_the_subtree(orgs):
    officer = factories.staff(organisation=orgs["county"], role=Role.UNION_OFFICER)
    inside = factories.member(organisation=orgs["unit"])
    factories.member(organisation=orgs["unit2"])
    factories.member(organisation=orgs["sibling_unit"])
    scoped = permissions.scope(officer, Action.VIEW_MEMBER, Member.objects.all())
    assert list(scoped) == [inside]


@pytest.mark.django_db
def test_scope_is_empty_without_a_matching_role(orgs):
    manager = factories.staff(organisation=orgs["national"], role=Role.FACILITY_MANAGER)
    factories.member(organisation=orgs["unit"])
    assert not permissions.scope(manager, Action.VIEW_MEMBER, Member.objects.all()).exists()


@pytest.mark.django_db
def test_staff_access_needs_totp_and_a_session_that_passed_it(orgs):
    without = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER, mfa=False)
    with_mfa = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)

    def session(user, *, mfa):
        return factories.sign_in(Client(), user, mfa=mfa).session

    assert not permissions.has_staff_access(without, session=session(without, mfa=True))
    assert not permissions.has_staff_access(with_mfa, session=session(with_mfa, mfa=False))
    assert permissions.has_staff_access(with_mfa, session=session(with_mfa, mfa=True))
    # Another user's MFA step in the same session counts for nobody else.
    other = factories.staff(organisation=orgs["city"], role=Role.UNION_OFFICER)
    assert not permissions.has_staff_access(other, session=session(with_mfa, mfa=True))
