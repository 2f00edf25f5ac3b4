"""The community map in a real headless Chromium against a hub in its own process.

Issues are seeded at known points: a group of five around a square, three by the river about
2 km east, one far outside the view. The hub either has a tile server nobody answers at (every
tile fails) or none at all; in both cases the map must draw clusters and markers with exact
counts, follow filters exactly, and split a cluster when zoomed in.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from models import AffectedGroup, IssueStatus
from tests.community_stage import SeededCommunity, Spot, seed_community
from tests.factories import gid
from tests.live_server import free_port, running_hub

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
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
    "--window-size=1000,800",
)
HOSTILE_TITLE = 'Ramp <b>broken</b> & "steep"'

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian's chromium and chromium-driver are missing (scripts/test installs them)",
)

ELDERLY = (AffectedGroup.ELDERLY,)
SQUARE = (49.4400, 32.0600)  # five issues within ~25 m of it
RIVER = (49.4420, 32.0900)  # three issues, ~2.2 km east of the square
SPOTS = [
    Spot(49.44000, 32.06000, groups=ELDERLY, title=HOSTILE_TITLE),
    Spot(49.44020, 32.06010, groups=ELDERLY),
    Spot(49.43985, 32.06025, status=IssueStatus.ADDRESSED),
    Spot(49.44010, 32.05975),
    Spot(49.43990, 32.05990, by_business=True),
    Spot(49.44200, 32.09000, groups=ELDERLY, title="Dark path by the river"),
    Spot(49.44215, 32.09020),
    Spot(49.44190, 32.08985, by_business=True),
    Spot(49.60000, 32.40000),  # far away: never in the views below
]

SNAPSHOT = """
const root = document.querySelector('[data-map-root]');
const svg = root.querySelector('[data-map]');
return {
  state: root.dataset.state || '',
  total: root.dataset.total || '',
  zoom: root.dataset.zoom || '',
  tiles: root.dataset.tiles || '',
  clusters: [...svg.querySelectorAll('.map-cluster')].map(e => Number(e.dataset.count))
    .sort((a, b) => a - b),
  markers: svg.querySelectorAll('.map-marker').length,
  tileImages: svg.querySelectorAll('image').length,
};
"""


@dataclass(frozen=True)
class Shown:
    """What the map shows once loaded: issues in view, cluster counts, single markers."""

    total: int
    clusters: list[int]
    markers: int


def snapshot(driver: webdriver.Chrome) -> dict[str, Any]:
    result: dict[str, Any] = driver.execute_script(SNAPSHOT)
    return result


def shown(driver: webdriver.Chrome) -> Shown | None:
    current = snapshot(driver)
    if current["state"] != "ready":
        return None
    return Shown(int(current["total"]), current["clusters"], current["markers"])


def wait_until(driver: webdriver.Chrome, what: str, condition: Any) -> None:
    try:
        WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.05).until(condition)
    except TimeoutException:
        console = [entry["message"] for entry in driver.get_log("browser")]
        pytest.fail(f"{what}: the map shows {snapshot(driver)}; browser console: {console}")


def detail_title(driver: webdriver.Chrome) -> str | None:
    """The title in the issue panel, or None while the panel is hidden."""
    panel = driver.find_element(By.CSS_SELECTOR, '[data-field="detail"]')
    if not panel.is_displayed():
        return None
    title: str = panel.find_element(By.CSS_SELECTOR, '[data-field="detail-title"]').text
    return title


def wait_for_map(driver: webdriver.Chrome, expected: Shown) -> None:
    """Wait (at most WAIT_SECONDS) until the loaded map shows exactly ``expected``."""
    wait_until(driver, f"expected {expected}", lambda d: shown(d) == expected)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Debian's headless Chromium with a fresh profile; nothing is downloaded."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
async def seeded() -> SeededCommunity:
    return await seed_community(SPOTS, name="Bilozirska hromada")


def map_url(hub_url: str, seeded: SeededCommunity, centre: tuple[float, float], zoom: int) -> str:
    latitude, longitude = centre
    return f"{hub_url}/c/{seeded.global_id}/map?lat={latitude}&lon={longitude}&z={zoom}"


async def test_without_tiles_the_map_draws_exact_clusters_follows_filters_and_splits(
    database, tmp_path, browser, seeded
):
    # given: a tile server nobody answers at (a closed local port), every tile fails
    tiles = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    with running_hub(database, "memory://", tmp_path, MAP_TILE_URL=tiles) as hub:
        # when: the map opens between the square and the river at zoom 13
        browser.get(map_url(hub.url, seeded, (49.441, 32.075), 13))
        # then: one cluster per place, the far issue not counted, and no tile left drawn
        wait_for_map(browser, Shown(total=8, clusters=[3, 5], markers=0))
        wait_until(browser, "tiles failed", lambda d: snapshot(d)["tiles"] == "failed")
        assert snapshot(browser)["tileImages"] == 0
        assert browser.find_element(By.CSS_SELECTOR, '[data-field="tiles-note"]').is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, '[data-field="status"]').text == (
            "Issues in view: 8"
        )
        # when: only issues hitting elderly people
        Select(browser.find_element(By.NAME, "group")).select_by_value("ELDERLY")
        # then: two at the square (a cluster), one by the river (a marker)
        wait_for_map(browser, Shown(total=3, clusters=[2], markers=1))
        assert "group=ELDERLY" in browser.current_url
        # when: the lone marker (known only by its ID so far) is opened
        browser.find_element(By.CSS_SELECTOR, ".map-marker").click()
        # then: its details are fetched and shown
        wait_until(browser, "river detail", lambda d: detail_title(d) == "Dark path by the river")
        # when: only open issues (any group)
        Select(browser.find_element(By.NAME, "group")).select_by_value("")
        Select(browser.find_element(By.NAME, "status")).select_by_value("OPEN")
        # then
        wait_for_map(browser, Shown(total=7, clusters=[3, 4], markers=0))
        # when: all issues again, and the square's cluster is clicked
        Select(browser.find_element(By.NAME, "status")).select_by_value("")
        wait_for_map(browser, Shown(total=8, clusters=[3, 5], markers=0))
        browser.find_element(By.CSS_SELECTOR, '.map-cluster[data-count="5"]').click()
        # then: the map zooms in on the square and the cluster splits into its five issues
        wait_for_map(browser, Shown(total=5, clusters=[], markers=5))
        assert int(snapshot(browser)["zoom"]) >= 16
        # when: the hostile title's marker is opened
        hostile_id = gid(seeded.issues[0])
        marker = browser.find_element(By.CSS_SELECTOR, f'.map-marker[data-issue-id="{hostile_id}"]')
        marker.click()
        # then: its details are shown as text
        wait_until(browser, "hostile detail", lambda d: detail_title(d) == HOSTILE_TITLE)
        detail = browser.find_element(By.CSS_SELECTOR, '[data-field="detail"]')
        assert detail.find_element(By.CSS_SELECTOR, '[data-field="detail-status"]').text == "Open"
        assert browser.find_elements(By.CSS_SELECTOR, "[data-field='detail'] b") == []


async def test_with_no_tile_server_the_map_pans_and_zooms_on_a_plain_background(
    database, tmp_path, browser, seeded
):
    # given: no tile server configured
    with running_hub(database, "memory://", tmp_path, MAP_TILE_URL="") as hub:
        # when: the map opens on the square at zoom 13
        browser.get(map_url(hub.url, seeded, SQUARE, 13))
        # then
        wait_for_map(browser, Shown(total=8, clusters=[3, 5], markers=0))
        assert snapshot(browser)["tiles"] == "off"
        assert snapshot(browser)["tileImages"] == 0
        assert not browser.find_element(By.CSS_SELECTOR, '[data-field="tiles-note"]').is_displayed()
        # when: the map is dragged 450 px to the right, so the river leaves the view
        canvas = browser.find_element(By.CSS_SELECTOR, "[data-map]")
        drag = ActionChains(browser).move_to_element_with_offset(canvas, -300, 150)
        drag.click_and_hold().move_by_offset(150, 0).move_by_offset(150, 0)
        drag.move_by_offset(150, 0).release().perform()
        # then: only the square is left in view
        wait_for_map(browser, Shown(total=5, clusters=[5], markers=0))
        # when: back on the square, zoomed in three steps with the + button
        browser.get(map_url(hub.url, seeded, SQUARE, 13))
        wait_for_map(browser, Shown(total=8, clusters=[3, 5], markers=0))
        for _ in range(3):
            browser.find_element(By.CSS_SELECTOR, '[data-action="zoom-in"]').click()
        # then: at zoom 16 every issue of the square is its own marker; the river is out
        wait_until(browser, "zoom 16", lambda d: snapshot(d)["zoom"] == "16")
        wait_for_map(browser, Shown(total=5, clusters=[], markers=5))
        assert "z=16" in browser.current_url
        # when: the wheel turns back (one step per turn, however fast it spins)
        canvas = browser.find_element(By.CSS_SELECTOR, "[data-map]")
        wheel = ScrollOrigin.from_element(canvas)
        ActionChains(browser).scroll_from_origin(wheel, 0, 240).perform()
        # then: zoom 15, the square's five issues in one cluster again
        wait_until(browser, "zoom 15", lambda d: snapshot(d)["zoom"] == "15")
        wait_for_map(browser, Shown(total=5, clusters=[5], markers=0))
