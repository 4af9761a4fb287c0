"""Domain errors become pages in one place (frontend.middleware), with the status the API gives them."""

import ast
import json
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from frontend.middleware import DomainErrorMiddleware
from portal.errors import Conflict, DomainError, NotFound, NotPermitted
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


class Busy(DomainError):  # the shape of an error another module may add (portal.errors.Busy, 503)
    status_code = 503
    type = "busy"
    title = "Busy"


@pytest.mark.parametrize("error,status", [
    (NotFound(), 404), (NotPermitted("该设施不归您管理。"), 403), (Conflict("该场次已取消。"), 409),
    (DomainError("无效。"), 400), (Busy("请稍后再试。"), 503)])
def test_each_domain_error_renders_the_error_page_with_its_status(error, status, orgs):
    request = RequestFactory().get("/console/")
    request.user = factories.user()
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == status
    html = response.content.decode()
    assert "<html" in html
    if status != 404:
        assert error.detail in html


def test_api_paths_keep_the_json_error_format(orgs):
    request = RequestFactory().get("/api/v1/anything/")
    request.user = factories.user()
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, Conflict("满了。", code="full"))
    assert response.status_code == 409 and json.loads(response.content)["type"] == "full"


def test_other_exceptions_pass_through():
    request = RequestFactory().get("/")
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, ValueError("x")) is None


def test_pages_answer_404_for_what_is_not_yours(orgs):
    owner = factories.member(organisation=orgs["unit"])
    outsider = factories.member(organisation=orgs["unit"])
    dependant = owner.dependants.create(name="小王", relation="child", birth_date="2015-01-01")
    client = client_for(outsider.user)
    assert client.post(reverse("frontend:dependant_delete", args=[dependant.pk])).status_code == 404
    assert client.get(reverse("frontend:booking_detail", args=[999_999])).status_code == 404
    no_member = client_for(factories.user())
    response = no_member.get(reverse("frontend:profile_edit"))
    assert response.status_code == 404 and "<html" in response.content.decode()
    staff = client_for(factories.staff(organisation=orgs["sibling"], role="union_officer"))
    assert staff.get(reverse("frontend:console:member_detail", args=[owner.pk])).status_code == 404


def _handlers(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            raises_404 = any(isinstance(n, ast.Raise) and "Http404" in ast.unparse(n) for n in node.body)
            if "NotFound" in names and raises_404:
                yield f"{path.relative_to(ROOT)}:{node.lineno}"


def test_no_view_translates_not_found_by_hand():
    copies = [where for path in (ROOT / "frontend").rglob("*.py") for where in _handlers(path)]
    assert copies == []
    helpers = [str(p.relative_to(ROOT)) for app in ("bookings", "facilities", "frontend", "portal")
               for p in (ROOT / app).rglob("*.py") if "def _member_or_404" in p.read_text()]
    assert helpers == []
