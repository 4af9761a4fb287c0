"""The Content-Security-Policy in a real browser: pages work under it, and injected script does not run."""

import pytest
from playwright.sync_api import expect

from .. import factories
from .conftest import PHONE, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_under_the_policy(new_page):
    page = new_page()
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # Swagger UI started and read the schema


def test_allauth_pages_with_hidden_forms_render_under_the_policy(new_page, orgs):
    factories.member(organisation=orgs["unit"], email="m@example.com")
    page = new_page(language="en")
    login(page, email="m@example.com", password=factories.PASSWORD)
    page.goto("/accounts/phone/change/")
    expect(page.locator("#verify-phone")).to_be_hidden()  # style="display: none", allowed by its hash


def test_injected_inline_script_and_handlers_do_not_run(browser, live_server, orgs):
    """What an XSS would try: the browser refuses both (and reports it, which new_page turns into a failure)."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        page = context.new_page()
        reports = []
        page.on("console", lambda msg: reports.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.goto("/palaces/")
        ran = page.evaluate("""() => new Promise(resolve => {
            const s = document.createElement('script');
            s.textContent = 'window.__inline = 1';
            document.head.appendChild(s);
            document.body.insertAdjacentHTML('beforeend', '<img src="/nope.png" onerror="window.__handler = 1">');
            setTimeout(() => resolve([window.__inline, window.__handler]), 500);
        })""")
        assert ran == [None, None]
        assert len(reports) >= 2, reports
    finally:
        context.close()
