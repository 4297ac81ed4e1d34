"""A real browser (Debian's headless Chromium via chromedriver) on a real `podium serve`."""

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import copy_archive, running_server

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def server(tmp_path_factory, site_archive):
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are required in CI (.ci/run installs them)")
        pytest.skip("needs Debian's chromium and chromium-driver")
    with running_server(site_archive) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--mute-audio", "--window-size=1280,1000", "--lang=zh-CN"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def audio_state(driver):
    return driver.execute_script(
        "var a = document.getElementById('podium-audio');"
        "return {t: a.currentTime, paused: a.paused, ready: a.readyState, error: a.error && a.error.code};")


def test_click_a_paragraph_plays_it_from_its_start(server, browser):
    browser.get(f"{server}/meeting/aishell")
    paragraph = browser.find_element("id", "p3")
    start = float(paragraph.get_attribute("data-start"))
    paragraph.click()
    deadline = time.time() + 10
    while time.time() < deadline and audio_state(browser)["paused"]:
        time.sleep(0.1)
    first = audio_state(browser)
    assert first["error"] is None and not first["paused"]
    assert abs(first["t"] - start) <= 0.5, (first, start)
    time.sleep(1.0)
    later = audio_state(browser)
    assert later["t"] > first["t"] and not later["paused"]  # it plays
    assert "podium-current" in paragraph.get_attribute("class")  # and the paragraph is highlighted
    browser.save_screenshot(str(ARTIFACTS / "meeting-page.png"))


def test_shareable_link_to_a_moment(server, browser):
    browser.get(f"{server}/meeting/aishell#t=7.5")
    deadline = time.time() + 10
    while time.time() < deadline and audio_state(browser)["t"] < 7:
        time.sleep(0.1)
    assert 7.4 <= audio_state(browser)["t"] <= 9.5


def test_search_two_characters_and_see_the_hit(server, browser):
    browser.get(f"{server}/search")
    box = browser.find_element("name", "q")
    box.send_keys("热点")
    box.submit()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", ".podium-hit"))
    hits = browser.find_elements("css selector", ".podium-hit")
    assert hits and "社会热点" in hits[0].text
    assert browser.find_element("css selector", ".podium-hit mark").text == "热点"
    browser.save_screenshot(str(ARTIFACTS / "search-result.png"))
