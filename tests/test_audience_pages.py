"""The audience pages in a real headless Chromium against a hub in its own process.

The hub runs under uvicorn in a subprocess sharing the test database and Redis, exactly as in
production; the pages subscribe over graphql-transport-ws and must show the exact new counts
within a bounded wait after a support made through the API.
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.live_event_stage import LiveEventStage, start_live_event
from tests.live_server import running_hub

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
WAIT_SECONDS = 10
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=412,915",  # a phone
)

pytestmark = [
    pytest.mark.skipif(
        not REDIS_URL,
        reason="TEST_REDIS_URL is unset: the hub runs in another process and its live notices "
        "cross processes only through Redis (scripts/test starts one)",
    ),
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="Debian's chromium and chromium-driver are missing (scripts/test installs them)",
    ),
]


@pytest.fixture
def hub_url(database: str, tmp_path: Path) -> Iterator[str]:
    """A hub in its own uvicorn process on the test database, broadcasting through Redis."""
    with running_hub(database, REDIS_URL, tmp_path) as hub:
        yield hub.url


@pytest.fixture
async def api(hub_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the hub process: every API call goes over the network."""
    async with httpx.AsyncClient(base_url=hub_url, timeout=10) as client:
        yield client


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Debian's headless Chromium with a fresh profile; nothing is downloaded."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    # A driver path in the Service means Selenium Manager (which downloads) is never run.
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def project_row(driver: webdriver.Chrome, stage: LiveEventStage, index: int) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f'[data-project-id="{stage.project_ids[index]}"]')


def field_text(driver: webdriver.Chrome, css: str) -> str | None:
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text if found else None


def wait_for_text(driver: webdriver.Chrome, css: str, expected: str) -> None:
    """Wait (at most WAIT_SECONDS) until the element shows exactly ``expected``."""
    try:
        WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.05).until(
            lambda d: field_text(d, css) == expected
        )
    except TimeoutException:
        console = [entry["message"] for entry in driver.get_log("browser")]
        shown = field_text(driver, css)
        pytest.fail(f"{css} shows {shown!r}, not {expected!r}; browser console: {console}")


def votes_of(stage: LiveEventStage, index: int) -> str:
    return f'[data-project-id="{stage.project_ids[index]}"] [data-field="votes"]'


def support_button_of(stage: LiveEventStage, index: int) -> str:
    return f'[data-project-id="{stage.project_ids[index]}"] [data-action="support"]'


async def test_a_support_through_the_api_moves_the_count_on_the_open_page(api, browser, hub_url):
    # given: a live event, its audience page open on a phone, showing the current pitch
    stage = await start_live_event(api, title="Pitch <night> & more")
    browser.get(f"{hub_url}/e/{stage.join_code}")
    wait_for_text(browser, votes_of(stage, 0), "0")
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "Pitch <night> & more"
    assert field_text(browser, '[data-field="current-title"]') == "Solar lights"
    current = project_row(browser, stage, 0)
    assert "current" in (current.get_attribute("class") or "").split()
    assert current.get_attribute("aria-current") == "true"
    assert project_row(browser, stage, 1).get_attribute("aria-current") is None
    # when: two people in the hall support the first project through the API
    first = await stage.support(0, await stage.join())
    second = await stage.support(0, await stage.join())
    # then: the open page shows the exact new count; the others do not move
    assert (first["__typename"], second["__typename"]) == ("SupportPitchSuccess",) * 2
    wait_for_text(browser, votes_of(stage, 0), "2")
    assert field_text(browser, votes_of(stage, 1)) == "0"
    assert field_text(browser, votes_of(stage, 2)) == "0"


async def test_an_attendee_supports_on_the_page_and_sees_the_limit_error(api, browser, hub_url):
    # given: the page open (it joined as a guest), 2 supports per attendee
    stage = await start_live_event(api, supports_per_attendee=2)
    browser.get(f"{hub_url}/e/{stage.join_code}")
    wait_for_text(browser, '[data-field="remaining"]', "You can support 2 more projects.")
    # when: they tap Support on the second project
    browser.find_element(By.CSS_SELECTOR, support_button_of(stage, 1)).click()
    # then
    wait_for_text(browser, votes_of(stage, 1), "1")
    wait_for_text(browser, support_button_of(stage, 1), "Supported ✓")
    assert not browser.find_element(By.CSS_SELECTOR, support_button_of(stage, 1)).is_enabled()
    wait_for_text(browser, '[data-field="remaining"]', "You can support 1 more project.")
    # when: the same attendee uses their last support from another tab (same token) ...
    token = browser.execute_script(
        "return JSON.parse(localStorage.getItem(arguments[0])).token",
        f"smart-hub.attendee.{stage.event_id}",
    )
    assert (await stage.support(0, token))["remainingSupports"] == 0
    wait_for_text(browser, votes_of(stage, 0), "1")
    # ... and then taps Support on this page, which still thinks one is left
    browser.find_element(By.CSS_SELECTOR, support_button_of(stage, 2)).click()
    # then: the typed error's message is shown and nothing more can be supported
    wait_for_text(
        browser,
        f'[data-project-id="{stage.project_ids[2]}"] [data-field="message"]',
        "Each attendee may support 2 project(s) at this event.",
    )
    wait_for_text(
        browser, '[data-field="remaining"]', "You have used all your supports. Thank you!"
    )
    assert not browser.find_element(By.CSS_SELECTOR, support_button_of(stage, 0)).is_enabled()
    assert field_text(browser, votes_of(stage, 2)) == "0"


async def test_the_big_screen_shows_the_join_qr_code_and_live_totals(api, browser, hub_url):
    # given: one support already made, the big screen opened in the hall
    stage = await start_live_event(api)
    await stage.support(1, await stage.join())
    browser.set_window_size(1600, 900)
    browser.get(f"{hub_url}/e/{stage.join_code}/screen")
    # then: the QR code of the absolute join link is on the screen, and the counts match
    assert browser.find_elements(By.CSS_SELECTOR, "figure.qr svg.qr-code path.qr-modules")
    assert field_text(browser, ".join-url") == f"{hub_url}/e/{stage.join_code}"
    wait_for_text(browser, votes_of(stage, 1), "1")
    wait_for_text(browser, '[data-field="total-votes"]', "1")
    # when: more support arrives through the API
    await stage.support(0, await stage.join())
    await stage.support(1, await stage.join())
    # then
    wait_for_text(browser, '[data-field="total-votes"]', "3")
    wait_for_text(browser, votes_of(stage, 1), "2")
    assert field_text(browser, votes_of(stage, 0)) == "1"
