"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser).

Without /usr/bin/chromium they skip and say how to install it. pytest-django's live_server runs the app
in a thread of this process, so the locmem mail outbox and the database are shared with the test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 760}

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="needs Debian's Chromium at /usr/bin/chromium: apt-get install chromium")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait up to 10 s for the page to catch up (Playwright's 5 s is short on a busy 2-core machine).
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(language="en", javascript=True) -> a phone-sized page of a fresh browser context.

    Every page fails its test if Chromium reports a Content-Security-Policy violation (a blocked inline
    script, style or handler), so a page that works only without the policy cannot pass."""
    contexts = []
    violations: list[str] = []

    def watch(page):
        page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)

    def make(language: str | None = None, javascript: bool = True):
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN",
                                      java_script_enabled=javascript)
        if language:
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        context.set_default_timeout(30_000)  # a loaded 2-core machine can take this long; a real fault still fails
        context.on("page", watch)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not violations, "\n".join(violations)


def code_from_mail(body: str) -> str:
    """The verification code in an allauth email: the line that holds only the code."""
    for line in body.splitlines():
        if re.fullmatch(r"[A-Z0-9]{3,8}(-[A-Z0-9]{3,8})?", line.strip()):
            return line.strip()
    raise AssertionError(f"no code in mail:\n{body}")


def login(page, *, email: str, password: str, totp_secret: str | None = None) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()
    if totp_secret:
        from portal.members.models import User
        from tests.logins import totp_code_for

        page.wait_for_url("**/accounts/2fa/authenticate/**")
        user = User.objects.get(email=email)
        for _attempt in range(2):  # a code can still expire on a loaded machine between reading and submitting
            # Read with 10 s of the period left: a busy 2-core machine can take seconds from fill to submit.
            page.fill("input[name=code]", totp_code_for(user, totp_secret, fresh_for=10.0))
            with page.expect_navigation():
                page.locator("main form button[type=submit]").first.click()
            if "/accounts/2fa/authenticate/" not in page.url:
                break
    page.wait_for_url(lambda url: "/accounts/" not in url)
