"""A real browser (Debian's headless Chromium via chromedriver) on a real `podium serve`."""

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import running_server

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
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})  # --lang is not enough headless
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def audio_state(driver):
    return driver.execute_script(
        "var a = document.getElementById('podium-audio');"
        "return {t: a.currentTime, paused: a.paused, ready: a.readyState, error: a.error && a.error.code};")


def test_click_a_paragraph_plays_it_from_its_start(server, browser):
    browser.get(f"{server}/meeting/seed")
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
    browser.get(f"{server}/meeting/seed#t=7.5")
    deadline = time.time() + 10
    while time.time() < deadline and audio_state(browser)["t"] < 7:
        time.sleep(0.1)
    assert 7.4 <= audio_state(browser)["t"] <= 9.5


def test_search_two_characters_and_see_the_hit(server, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/search")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("name", "q"))
    box = browser.find_element("name", "q")
    box.send_keys("硬仗")
    box.submit()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", ".podium-hit"))
    hits = browser.find_elements("css selector", ".podium-hit")
    assert hits and "打硬仗" in hits[0].text
    assert browser.find_element("css selector", ".podium-hit mark").text == "硬仗"
    browser.save_screenshot(str(ARTIFACTS / "search-result.png"))


def open_meeting(driver, server, suffix=""):
    """A fresh load of the seed meeting's page (not a same-document hash change), with its audio's metadata read."""
    driver.get("about:blank")
    driver.get(f"{server}/meeting/seed{suffix}")
    wait_for(driver, "document.getElementById('podium-audio').readyState >= 1")


def wait_for(driver, condition, timeout=10.0):
    """Poll a JavaScript expression until it is true; fail with its last value otherwise."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if driver.execute_script(f"return !!({condition});"):
            return
        time.sleep(0.05)
    pytest.fail(f"still false after {timeout} s: {condition}")


def now_marked(driver):
    """IDs of the elements marked as being heard (there should be at most one)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('[aria-current=\"time\"]')).map(e => e.id);")


def test_click_a_sentence_plays_it_and_follows_along(server, browser):
    open_meeting(browser, server)
    sentence = browser.find_element("id", "s-2-0")
    start = float(sentence.get_attribute("data-start"))
    sentence.click()
    wait_for(browser, "!document.getElementById('podium-audio').paused")
    first = audio_state(browser)
    assert first["error"] is None and abs(first["t"] - start) <= 0.5, (first, start)
    wait_for(browser, "document.getElementById('s-2-0').getAttribute('aria-current') === 'time'", timeout=3)
    assert now_marked(browser) == ["s-2-0"]
    assert browser.find_element("id", "podium-back").get_attribute("textContent") == "回到当前"  # a Chinese browser
    # playing on (s-3-0 begins about 5 s later): the mark moves to the later sentence, and only it
    wait_for(browser, "document.getElementById('s-3-0').getAttribute('aria-current') === 'time'", timeout=8)
    assert now_marked(browser) == ["s-3-0"] and not audio_state(browser)["paused"]
    playhead = float(browser.execute_script(
        "return parseFloat(document.getElementById('podium-playhead').style.left);"))
    duration = float(browser.find_element("id", "podium-timeline").get_attribute("data-duration"))
    assert abs(playhead - audio_state(browser)["t"] / duration * 100) < 5  # the playhead moves with it
    browser.execute_script("document.getElementById('podium-audio').pause();")


def test_timeline_click_seeks(server, browser):
    from selenium.webdriver.common.action_chains import ActionChains

    open_meeting(browser, server)
    bar = browser.find_element("id", "podium-timeline")
    width = bar.size["width"]
    assert width > 600  # the whole width of the page
    ActionChains(browser).move_to_element_with_offset(bar, int(width * 0.25), 0).click().perform()  # from the centre
    wait_for(browser, "!document.getElementById('podium-audio').seeking && "
                      "document.getElementById('podium-audio').currentTime > 1")
    state = browser.execute_script(
        "var a = document.getElementById('podium-audio'); return {t: a.currentTime, d: a.duration};")
    assert abs(state["t"] - 0.75 * state["d"]) <= 0.6, state
    wait_for(browser, "document.getElementById('s-3-0').getAttribute('aria-current') === 'time'", timeout=3)
    browser.execute_script("document.getElementById('podium-audio').pause();")


@pytest.mark.parametrize("suffix, marked", [("#s-2-0", "s-2-0"), ("?s=3-0", "s-3-0")])
def test_open_at_a_sentence_marks_it(server, browser, suffix, marked):
    open_meeting(browser, server, suffix)
    sentence = browser.find_element("id", marked)
    wait_for(browser, f"document.getElementById('{marked}').classList.contains('podium-target')", timeout=3)
    assert sentence.get_attribute("aria-current") in ("location", "time")
    others = browser.find_elements("css selector", ".podium-target, [aria-current]")
    assert [e.get_attribute("id") for e in others] == [marked]
    # in view, below the sticky player, and the player is set to it
    box = browser.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        "return {top: r.top, bottom: r.bottom, player: document.getElementById('podium-player')"
        ".getBoundingClientRect().bottom, height: innerHeight};", sentence)
    assert box["player"] <= box["top"] and box["bottom"] <= box["height"], box
    wait_for(browser, f"Math.abs(document.getElementById('podium-audio').currentTime - "
                      f"{float(sentence.get_attribute('data-start'))}) < 0.1", timeout=3)
    # once playback moves on to another sentence, the mark goes
    browser.execute_script("document.getElementById('podium-audio').currentTime = 1.0;")
    wait_for(browser, f"!document.getElementById('{marked}').classList.contains('podium-target')", timeout=3)
    assert now_marked(browser) == ["s-1-0"] and browser.find_element("id", marked).get_attribute("aria-current") is None


def test_keyboard_and_speed(server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    open_meeting(browser, server)
    browser.find_element("tag name", "h1").click()  # focus in the page, not in a control
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    wait_for(browser, "!document.getElementById('podium-audio').paused", timeout=5)
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    wait_for(browser, "document.getElementById('podium-audio').paused", timeout=5)
    before = audio_state(browser)["t"]
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    wait_for(browser, f"Math.abs(document.getElementById('podium-audio').currentTime - {before + 5}) < 0.05", 5)
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    wait_for(browser, f"Math.abs(document.getElementById('podium-audio').currentTime - {max(0.0, before - 5)}) < 0.05",
             5)
    assert browser.execute_script("return window.scrollY;") == 0  # space did not scroll the page
    Select(browser.find_element("id", "podium-speed")).select_by_value("1.5")
    assert browser.execute_script("return document.getElementById('podium-audio').playbackRate;") == 1.5
    Select(browser.find_element("id", "podium-speed")).select_by_value("1")


def test_follows_the_text_until_the_reader_scrolls_away(server, browser):
    from selenium.webdriver.common.action_chains import ActionChains

    size = browser.get_window_size()
    browser.set_window_size(1280, 560)  # the text runs below the fold
    try:
        open_meeting(browser, server)
        back = browser.find_element("id", "podium-back")

        def in_view(sentence_id):
            return browser.execute_script(
                "var r = document.getElementById(arguments[0]).getBoundingClientRect();"
                "return r.top >= document.getElementById('podium-player').getBoundingClientRect().bottom"
                " && r.bottom <= innerHeight;", sentence_id)

        assert not in_view("s-3-0") and browser.execute_script("return window.scrollY;") == 0
        browser.execute_script("document.getElementById('podium-audio').currentTime = 12;")
        wait_for(browser, "document.getElementById('s-3-0').getAttribute('aria-current') === 'time'", timeout=3)
        deadline = time.time() + 5
        while time.time() < deadline and not in_view("s-3-0"):
            time.sleep(0.1)
        assert in_view("s-3-0") and not back.is_displayed()  # followed by scrolling itself
        settled = None
        while time.time() < deadline + 5 and settled != browser.execute_script("return window.scrollY;"):
            settled = browser.execute_script("return window.scrollY;")  # let the smooth scroll end
            time.sleep(0.3)
        assert settled > 0
        # the reader scrolls away by hand: following stops, and 'back to now' appears
        ActionChains(browser).scroll_by_amount(0, -2000).perform()
        wait_for(browser, "window.scrollY === 0", timeout=5)
        assert back.is_displayed()
        browser.execute_script("document.getElementById('podium-audio').currentTime = 14;")
        time.sleep(0.8)
        assert browser.execute_script("return window.scrollY;") == 0  # not dragged back
        back.click()
        deadline = time.time() + 5
        while time.time() < deadline and not in_view("s-3-0"):
            time.sleep(0.1)
        assert in_view("s-3-0") and not back.is_displayed()
    finally:
        browser.set_window_size(size["width"], size["height"])


def test_a_paragraphs_time_link_still_plays_from_there(server, browser):
    open_meeting(browser, server)
    link = browser.find_element("css selector", "#p2 .podium-time")
    start = float(browser.find_element("id", "p2").get_attribute("data-start"))
    link.click()
    wait_for(browser, "!document.getElementById('podium-audio').paused")
    assert abs(audio_state(browser)["t"] - start) <= 0.5
    assert browser.execute_script("return location.hash;") == f"#t={start:g}"
    browser.execute_script("document.getElementById('podium-audio').pause();")


def test_the_home_page_leads_to_a_meeting(server, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", ".podium-meetings a"))
    browser.save_screenshot(str(ARTIFACTS / "home-page.png"))
    links = browser.find_elements("css selector", ".podium-meetings a")
    assert [a.get_attribute("href").rsplit("/", 1)[-1] for a in links] == ["seed", "en"]
    links[0].click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/meeting/seed"))
    assert browser.find_elements("css selector", ".podium-sentence[data-start]")


def test_a_table_page_folds_its_column_help_and_searches_two_characters(server, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/archive/sentences?_search=硬仗")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", "details.podium-column-help"))
    help = browser.find_element("css selector", "details.podium-column-help")
    assert help.get_attribute("open") is None and not browser.find_element("css selector", "dl.column-descriptions").is_displayed()
    rows = browser.find_elements("css selector", "table.rows-and-columns tbody tr")
    assert len(rows) == 1 and "打硬仗" in rows[0].text
    browser.save_screenshot(str(ARTIFACTS / "table-search.png"))
