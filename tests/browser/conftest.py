"""Playwright driving Chromium (headless: Playwright's own or Debian's) against the app behind Chalice's local
server."""

import pathlib
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    from tests.browser.chromium import executable

    with sync_playwright() as playwright:
        found = executable(playwright)
        assert found, "no Chromium for the browser tests: run `make browser`"
        chromium = playwright.chromium.launch(executable_path=found, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_url, pump):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    # assertions wait as long as actions (a CI runner is slower than a laptop)
    expect.set_options(timeout=10_000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


@pytest.fixture
def category():
    return f"shelf-{uuid.uuid4().hex[:8]}"


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def send_sign_up(
    page, email: str, password: str = "Sturdy-Passw0rd", name: str = "Ada Lovelace"
) -> None:
    """Fill the sign-up form and send it (what follows is the caller's to check)."""
    page.goto("/#/signup")
    page.fill("#field-name", name)
    page.fill("#field-email", email)
    page.fill("#field-password", password)
    page.click("form button[type=submit]")


def sign_up(
    page, email: str, password: str = "Sturdy-Passw0rd", name: str = "Ada Lovelace"
) -> None:
    send_sign_up(page, email, password, name)
    page.wait_for_selector("#signout:visible")


def sign_in(page, email: str, password: str) -> None:
    page.goto("/#/signin")
    page.fill("#field-email", email)
    page.fill("#field-password", password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#signout:visible")
