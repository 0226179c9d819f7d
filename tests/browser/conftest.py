"""Headless Chromium against a live server: the pages as a person sees them (docs/quality.md).

Debian's Chromium and ChromeDriver (`make test` installs them, scripts/ensure_browser.sh); axe-core
from node_modules (npm ci). Missing either fails the run saying so: never a silent skip.
Screenshots land in var/screenshots/, to be looked at.
"""

import json
import shutil
from pathlib import Path

import pytest

from tests.seeding import seed_lists

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium(live_server):
    """The browser; it quits before the live server stops."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for needed in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(needed):
            pytest.fail(f"{needed} is missing: run `make browser` (Debian's chromium packages)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make browser` (npm ci)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ARGUMENTS:
        options.add_argument(argument)
    options.add_argument("--window-size=1280,900")
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


class Page:
    """One browser, signed in as one account after another, on the live server."""

    def __init__(self, driver, base: str):
        self.driver, self.base = driver, base

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    @property
    def text(self) -> str:
        return self.driver.find_element("tag name", "body").text

    def sign_in(self, username: str, password: str, at: str = "/admin/login/") -> None:
        """Sign in on the admin's form, or at ``at`` (the site's own, ``/accounts/login/``)."""
        self.driver.delete_all_cookies()
        self.open(at)
        self.driver.find_element("name", "username").send_keys(username)
        self.driver.find_element("name", "password").send_keys(password)
        button = self.driver.find_element("css selector", "input[type=submit], button[type=submit]")
        button.click()
        # The answer's page replaces the form (a page to work on, or the form again with its
        # message): a test that opens another page before then may still be signed out.
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def replaced(_driver) -> bool:
            try:
                button.is_enabled()
            except WebDriverException:  # stale; or Chromium's "node does not belong to the
                return True  # document", its other way of saying so while the page swaps
            return False

        WebDriverWait(self.driver, 30).until(replaced)

    def screenshot(self, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path

    def scrolls_sideways(self) -> bool:
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth"
        )

    def wait_for(self, selector: str, seconds: float = 30) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, seconds).until(
            lambda driver: driver.find_elements("css selector", selector)
        )

    def accessibility_violations(self, impacts=("critical", "serious"), ignore=()) -> list[str]:
        """axe-core's WCAG 2.1 A/AA violations of the page at ``impacts``, one line each."""
        self.driver.execute_script(AXE.read_text())
        found = self.driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
            axe.run(document, {runOnly: {type: 'tag', values: tags}})
               .then(r => done(JSON.stringify(r.violations)));"""
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            f"{len(v['nodes'])}× e.g. {v['nodes'][0]['target']}"
            for v in json.loads(found)
            if v["impact"] in impacts and v["id"] not in ignore
        ]


@pytest.fixture
def page(chromium, live_server, transactional_db):
    """The browser on the live server. While a browser test runs, the server's request threads
    close their database connection after each request (no CONN_MAX_AGE), so none is left open
    when the test database is dropped; other tests keep the settings' value. The rows a
    migration seeds (tests/seeding.py), which the flush of earlier transactional tests removed,
    are seeded again, so the pages show what a new install shows."""
    from django.db import connections

    seed_lists()
    chromium.set_script_timeout(60)
    kept = connections.settings["default"]["CONN_MAX_AGE"]
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield Page(chromium, live_server.url)
    connections.settings["default"]["CONN_MAX_AGE"] = kept
