"""Every member and console page fits a 360 px phone, in both languages and both text sizes; the check-in
camera says why it cannot start.

The pages come from tests/frontend/pages.py (every route of frontend.urls, with ids from the demo data). One
browser context per account is reused for the four language / text-size combinations (cookies switch them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.frontend.pages import ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, STAFF, pages_for, seed_demo

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
COMBINATIONS = [(language, large) for language in ("zh-hans", "en") for large in (False, True)]

MISFITS_JS = (Path(__file__).parent / "misfits.js").read_text()


def _set_prefs(context, base_url: str, language: str, large: bool) -> None:
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url},
                         {"name": "large_text", "value": "1" if large else "0", "url": base_url}])


def test_every_page_fits_a_360px_phone_in_both_languages_and_text_sizes(browser, live_server):
    ids = seed_demo()
    misfits: dict[str, list[str]] = {}
    visited = 0
    for account, email in ACCOUNTS.items():
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        if email:
            login(page, email=email, password=DEMO_PASSWORD,
                  totp_secret=DEMO_TOTP_SECRET if account in STAFF else None)
        for language, large in COMBINATIONS:
            _set_prefs(context, live_server.url, language, large)
            for target in pages_for(account):
                path = target.path(ids)
                response = page.goto(path)
                assert response.status == 200, (account, path, response.status)
                assert "/accounts/login/" not in page.url or account == "anonymous", (account, path)
                assert page.evaluate("document.documentElement.lang") == language, (path, language)
                assert page.evaluate("document.documentElement.classList.contains('large-text')") == large
                found = page.evaluate(MISFITS_JS)
                if found:
                    misfits[f"{account} {path} {language}{' large' if large else ''}"] = found
                visited += 1
        context.close()
    assert visited >= 4 * 40
    assert not misfits, "\n".join(f"{where}: {problem}" for where, problems in misfits.items() for problem in problems)


@pytest.mark.parametrize("language, message", [
    ("zh-hans", "此设备上没有找到摄像头"), ("en", "No camera was found on this device."),
])
def test_the_camera_button_says_why_when_there_is_no_camera(new_page, language, message):
    """Headless Chromium has no camera: pressing "Start camera" must explain that, not fail silently."""
    seed_demo()
    page = new_page(language=language)
    login(page, email=ACCOUNTS["palace"], password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    page.goto("/console/checkin/")
    start = page.locator("#scan-start")
    if not page.evaluate("typeof window.Html5Qrcode === 'function'"):
        pytest.skip("the QR scanner is installed by `make install` (npm) into frontend/static/vendor/")
    start.click()
    error = page.locator("#scan-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(message)
    expect(start).to_be_visible()  # ready to try again
