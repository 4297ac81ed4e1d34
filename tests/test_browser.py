"""A real browser (Debian's headless Chromium via chromedriver) on a real `podium serve`."""

import time

import pytest

from conftest import ARTIFACTS, chromium, need_chromium, running_server, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory, site_archive):
    need_chromium()
    with running_server(site_archive) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as driver:
        yield driver


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
    links = browser.find_elements("css selector", '.podium-meetings a[href^="/meeting/"]')  # not its speakers' links
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


# --- quotes as clips, the embedded player, and the meeting page for keyboards and small screens (issue 20) -------

def sentence_times(driver, *ids):
    return [(float(driver.find_element("id", i).get_attribute("data-start")),
             float(driver.find_element("id", i).get_attribute("data-end"))) for i in ids]


def play_and_time_the_quote(driver):
    """Press 'play the quote'; returns where the player began (its first 'playing') and where it stopped, and how
    many times the sentence being heard was announced meanwhile."""
    driver.execute_script(
        "var a = document.getElementById('podium-audio'); window.heard = {began: null, said: 0};"
        "a.addEventListener('playing', function () { if (heard.began === null) heard.began = a.currentTime; });"
        "new MutationObserver(function () { heard.said += 1; })"
        "  .observe(document.getElementById('podium-now'), {childList: true, characterData: true, subtree: true});")
    driver.find_element("id", "podium-quote-play").click()
    wait_for(driver, "window.heard.began !== null", timeout=10)
    wait_for(driver, "document.getElementById('podium-audio').paused", timeout=30)
    return driver.execute_script("return [heard.began, document.getElementById('podium-audio').currentTime, heard.said];")


@pytest.mark.parametrize("link, first, last", [
    ("?t=6.2,12.9", None, None),  # times inside sentences: 2-0 from its middle to the middle of 3-0
    ("?s=1-0..2-0", "s-1-0", "s-2-0"),  # sentences: from 1-0's start to 2-0's end
])
def test_a_quote_link_plays_from_a_and_stops_at_b(server, browser, link, first, last):
    open_meeting(browser, server, link)
    if first:
        (a, _), (_, b) = sentence_times(browser, first, last)
    else:
        a, b = (float(x) for x in link[3:].split(","))
    # the quote is marked, the player set at a; the reader is told to press play, and the button has the focus
    assert browser.execute_script("return document.activeElement.id;") == "podium-quote-play"
    assert browser.find_element("id", "podium-quote-note").is_displayed()
    wait_for(browser, f"Math.abs(document.getElementById('podium-audio').currentTime - {a}) < 0.05", timeout=5)
    marked = [e.get_attribute("id") for e in browser.find_elements("css selector", ".podium-quoted")]
    assert marked == (["s-2-0"] if not first else ["s-1-0", "s-2-0"])
    began, stopped, said = play_and_time_the_quote(browser)
    print(f"quote {link}: began at {began:.3f} (a = {a}), stopped at {stopped:.3f} (b = {b}): "
          f"{stopped - b:+.3f} s")
    assert abs(began - a) <= 0.1
    assert b - 0.05 <= stopped <= b + 0.3  # every word of the quote, and within 0.3 s of its end
    assert 1 <= said <= 3  # the sentences heard, said once each: not at every timeupdate (about 4 a second)
    assert not browser.find_element("id", "podium-quote-note").is_displayed()
    # play once more: the same range (and the player's own play button goes on from there, as any player does)
    began, stopped, _ = play_and_time_the_quote(browser)
    assert abs(began - a) <= 0.1 and b - 0.05 <= stopped <= b + 0.3


def stub_clipboard(driver):
    driver.execute_script("window.copiedText = null; navigator.clipboard.writeText = function (text) {"
                          "  window.copiedText = text; return Promise.resolve(); };")


def copy_with(driver, button_id):
    driver.execute_script("window.copiedText = null;")
    driver.find_element("id", button_id).click()
    wait_for(driver, "window.copiedText !== null", timeout=3)
    copied = driver.execute_script("return window.copiedText;")
    assert driver.find_element("id", "podium-quote-copy").get_attribute("value") == copied  # shown, as copied
    return copied


def test_select_a_quote_with_the_mouse_and_copy_its_citation(server, browser, site_archive):
    import sqlite3

    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from conftest import HOSTILE_TITLE, SITE_SPEAKER

    texts = [t for (t,) in sqlite3.connect(site_archive).execute(
        "select text from sentences where meeting_id = 'seed' and paragraph_seq > 0 order by paragraph_seq, seq")]
    try:
        for language in ("zh", "en"):
            open_meeting(browser, server, f"?lang={language}")
            assert not browser.find_element("id", "podium-quote").is_displayed()
            stub_clipboard(browser)
            browser.find_element("id", "s-1-0").click()  # plays from there ...
            browser.execute_script("document.getElementById('podium-audio').pause();")
            ActionChains(browser).key_down(Keys.SHIFT).click(browser.find_element("id", "s-3-0")).key_up(
                Keys.SHIFT).perform()  # ... and shift-click quotes from there to here
            wait_for(browser, "document.querySelectorAll('.podium-quoted').length === 3", timeout=3)
            assert browser.execute_script("return String(getSelection());") == ""  # no text selected on the way
            assert browser.find_element("id", "podium-quote").is_displayed()
            link = copy_with(browser, "podium-quote-link")
            assert link == f"{server}/meeting/seed?s=1-0..3-0"
            citation = copy_with(browser, "podium-quote-cite")
            if language == "zh":
                assert citation == (f"“{''.join(texts)}”\n——{SITE_SPEAKER}，《{HOSTILE_TITLE}》，2024-05-01，"
                                    f"录音 00:00:00.5–00:00:17.6\n{link}")
            else:
                assert citation == (f"“{''.join(texts)}”\n— {SITE_SPEAKER}, “{HOSTILE_TITLE}”, 2024-05-01, "
                                    f"recording 00:00:00.5–00:00:17.6\n{link}")
            embed = copy_with(browser, "podium-quote-embed")
            assert embed.startswith(f'<iframe src="{server}/meeting/seed/embed?s=1-0..3-0&amp;lang={language}"')
            assert "<script>" not in embed  # the title in its title attribute, escaped
        browser.save_screenshot(str(ARTIFACTS / "meeting-quote.png"))
        # the link copied opens the same quote
        open_meeting(browser, server, "?s=1-0..3-0")
        assert [e.get_attribute("id") for e in browser.find_elements("css selector", ".podium-quoted")] == [
            "s-1-0", "s-2-0", "s-3-0"]
    finally:
        browser.delete_all_cookies()  # ?lang=en set the language cookie: the other tests read Chinese


def test_the_keyboard_alone_plays_sentences_and_quotes(server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    def focused():
        return browser.execute_script(
            "var e = document.activeElement; var s = e.closest('.podium-sentence');"
            "return s ? s.id : e.id || e.tagName;")

    def keys(*typed):
        ActionChains(browser).send_keys(*typed).perform()

    def shifted(key, times=1):
        chain = ActionChains(browser).key_down(Keys.SHIFT)
        for _ in range(times):
            chain = chain.send_keys(key)
        chain.key_up(Keys.SHIFT).perform()

    open_meeting(browser, server)
    # Tab from the timeline (a slider: its keys seek) reaches the text: a paragraph's time, then its sentence
    browser.execute_script("document.getElementById('podium-timeline').focus();")
    keys(Keys.END)
    wait_for(browser, "document.getElementById('podium-audio').currentTime > 17", timeout=3)
    keys(Keys.HOME)
    wait_for(browser, "document.getElementById('podium-audio').currentTime < 0.01", timeout=3)
    order = []
    for _ in range(6):
        keys(Keys.TAB)
        order.append(focused())
    assert order == ["A", "s-1-0", "A", "s-2-0", "A", "s-3-0"]  # time links and sentences, in reading order
    outline = browser.execute_script("return getComputedStyle(document.getElementById('s-3-0')).outlineStyle;")
    assert outline == "solid"  # focus that can be seen
    # Enter plays the focused sentence
    shifted(Keys.TAB, 2)
    assert focused() == "s-2-0"
    keys(Keys.ENTER)
    wait_for(browser, "!document.getElementById('podium-audio').paused", timeout=5)
    start = sentence_times(browser, "s-2-0")[0][0]
    assert abs(audio_state(browser)["t"] - start) < 0.5 and browser.execute_script("return location.pathname + location.search;") == "/meeting/seed"
    wait_for(browser, "document.getElementById('podium-now').textContent.indexOf('用人的') >= 0", timeout=3)
    browser.execute_script("document.getElementById('podium-audio').pause();")
    # Shift+↓ quotes on to the next sentence, Shift+↑ back; the quote is said
    shifted(Keys.ARROW_DOWN)
    wait_for(browser, "document.querySelectorAll('.podium-quoted').length === 2", timeout=3)
    assert focused() == "s-3-0" and "2 句" in browser.find_element("id", "podium-now").text
    shifted(Keys.ARROW_UP, 2)
    wait_for(browser, "document.querySelectorAll('.podium-quoted').length === 2", timeout=3)
    assert [e.get_attribute("id") for e in browser.find_elements("css selector", ".podium-quoted")] == ["s-1-0", "s-2-0"]
    # Q goes to the quote's buttons; Enter plays the quote, which stops at 2-0's end
    keys("q")
    assert focused() == "podium-quote-play"
    keys(Keys.ENTER)
    wait_for(browser, "!document.getElementById('podium-audio').paused", timeout=5)
    wait_for(browser, "document.getElementById('podium-audio').paused", timeout=20)
    assert abs(audio_state(browser)["t"] - sentence_times(browser, "s-2-0")[0][1]) <= 0.3
    # Esc clears the quote, the focus back in the text
    keys(Keys.ESCAPE)
    wait_for(browser, "document.querySelectorAll('.podium-quoted').length === 0", timeout=3)
    assert not browser.find_element("id", "podium-quote").is_displayed() and focused() == "s-1-0"


@pytest.fixture
def another_site(server, tmp_path):
    """A page of another site (localhost on a port of its own, where Podium is 127.0.0.1) that frames the embedded
    player of a quote, and for comparison Podium's meeting page."""
    import functools
    import http.server
    import threading

    embed_url = f"{server}/meeting/seed/embed?s=2-0..3-0"
    (tmp_path / "index.html").write_text(
        f'<!DOCTYPE html><html lang="en"><title>Another site</title><h1>A newspaper</h1>'
        f'<iframe id="quote" src="{embed_url}" width="560" height="300" title="quote"></iframe>'
        f'<iframe id="page" src="{server}/meeting/seed" width="560" height="300" title="page"></iframe>',
        encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}/index.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_embed_plays_in_an_iframe_on_another_site(server, browser, another_site):
    browser.get(another_site)
    frame = browser.find_element("id", "quote")
    browser.switch_to.frame(frame)
    try:
        wait_for(browser, "!!document.getElementById('podium-audio') && "
                          "document.getElementById('podium-audio').readyState >= 1", timeout=10)
        assert browser.execute_script("return location.href;").startswith(f"{server}/meeting/seed/embed")
        assert not browser.find_elements("css selector", "header, footer, .nav-menu")  # no Datasette chrome
        assert [e.get_attribute("id") for e in browser.find_elements("css selector", ".podium-quoted")] == [
            "s-2-0", "s-3-0"]
        (a, _), (_, b) = sentence_times(browser, "s-2-0", "s-3-0")
        began, stopped, _ = play_and_time_the_quote(browser)
        assert abs(began - a) <= 0.1 and b - 0.05 <= stopped <= b + 0.3, (began, stopped, a, b)
        assert browser.execute_script(
            "return document.querySelector('[aria-current=\"time\"]').id;") == "s-3-0"  # followed along
        back = browser.find_element("css selector", ".podium-embed-full")
        assert back.get_attribute("href") == f"{server}/meeting/seed?s=2-0..3-0" and back.get_attribute("target") == "_blank"
        assert browser.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth;")
    finally:
        browser.switch_to.default_content()
    browser.save_screenshot(str(ARTIFACTS / "embed-on-another-site.png"))
    # the meeting page itself may not be framed there: the browser refuses it
    browser.switch_to.frame(browser.find_element("id", "page"))
    try:
        assert not browser.execute_script("return location.href;").startswith(server)
        assert not browser.find_elements("id", "podium-audio")
    finally:
        browser.switch_to.default_content()


@pytest.mark.parametrize("path", ["/meeting/seed", "/meeting/seed?s=1-0..3-0", "/meeting/en?t=0.3,10.5",
                                  "/meeting/seed/embed?s=1-0..3-0"])
def test_no_sideways_scrolling_at_375_px(server, browser, path):
    size = browser.get_window_size()
    browser.set_window_size(375, 800)
    try:
        browser.get(f"{server}{path}")
        wait_for(browser, "document.readyState === 'complete'")
        assert browser.execute_script("return innerWidth;") == 375
        wide = browser.execute_script(
            "var w = document.documentElement.clientWidth;"
            "return [document.documentElement.scrollWidth, w, Array.from(document.querySelectorAll('body *'))"
            ".filter(function (e) { return e.getBoundingClientRect().right > w + 1; })"
            ".map(function (e) { return e.tagName + '.' + e.className; }).slice(0, 5)];")
        assert wide[0] <= wide[1], wide
        if "seed?s=" in path:
            browser.save_screenshot(str(ARTIFACTS / "meeting-quote-375px.png"))
    finally:
        browser.set_window_size(size["width"], size["height"])


# --- editing on the editing server (issue 19): a signed-in editor corrects a meeting with the keyboard ---------

EDITOR_PASSWORD = "长城 long wall 1984"
TYPO, FIXED = "打胜丈", "打胜仗"  # planted in the archive's sentence 3-0, as if the official text had it


@pytest.fixture(scope="module")
def editing(tmp_path_factory, site_archive, server):
    """`podium serve --edit --auth FILE` on a copy of the site archive with an off-script passage and a typo in
    its official text; the editor alice added with `podium editors add` (password on standard input)."""
    import subprocess
    import sys

    from conftest import copy_archive
    from podium import schema
    from podium.ingest import store

    db = copy_archive(site_archive, tmp_path_factory.mktemp("editing") / "site")
    conn = store.open_for_writing(db)
    with schema.transaction(conn):
        conn.execute("insert into unscripted (id, meeting_id, start, [end], text, version, struck) "
                     "values ('seed_u0000', 'seed', 0.05, 0.45, '掌声雷动', 0, 0)")
        for table in ("sentences", "paragraphs", "speeches", "meetings"):
            column = "official_text" if table in ("speeches", "meetings") else "text"
            conn.execute(f"update [{table}] set [{column}] = replace([{column}], '{FIXED}', '{TYPO}') "
                         f"where {'id' if table == 'meetings' else 'meeting_id'} = 'seed'")
        schema.rebuild_indexes(conn)
        conn.execute("update sentences set status = 'estimated' where id = 'seed_p0003_s000'")  # one to check
    conn.close()
    editors = tmp_path_factory.mktemp("config") / "editors.json"
    added = subprocess.run([sys.executable, "-m", "podium", "editors", "add", "alice", "--auth", str(editors)],
                           input=EDITOR_PASSWORD + "\n", capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    with running_server(db, "--edit", "--auth", str(editors)) as base:
        yield base, db


def keys(driver, *sequence):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*sequence).perform()


def with_alt(driver, key):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).key_down(Keys.ALT).send_keys(key).key_up(Keys.ALT).perform()


def row(driver, element_id):
    return driver.execute_script(
        "var e = document.getElementById(arguments[0]); if (!e) return null;"
        "var t = e.querySelector('.podium-row-text');"
        "return {start: e.dataset.start === undefined ? null : parseFloat(e.dataset.start),"
        " end: e.dataset.end === undefined ? null : parseFloat(e.dataset.end), version: e.dataset.version,"
        " cls: e.className, text: t ? t.textContent : e.textContent,"
        " corrected: !!e.querySelector('.podium-corrected-mark')};", element_id)


def message(driver):
    return driver.execute_script("return document.getElementById('podium-edit-message').textContent;")


def playhead_at(driver, seconds):
    driver.execute_script("var a = document.getElementById('podium-audio'); a.pause(); a.currentTime = arguments[0];",
                          seconds)
    wait_for(driver, f"Math.abs(document.getElementById('podium-audio').currentTime - {seconds}) < 0.001 && "
                     "!document.getElementById('podium-audio').seeking")


def test_an_editor_corrects_a_meeting_with_the_keyboard(editing, browser):
    import csv
    import io
    import json
    import urllib.request

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from podium import corrections
    from podium.ingest import store

    base, db = editing
    # a reader's page on the editing server: no edit controls, a way to sign in
    open_meeting(browser, base)
    assert not browser.find_elements(By.ID, "podium-editor") and not browser.find_elements(By.CSS_SELECTOR, "[data-version]")
    browser.find_element(By.CSS_SELECTOR, ".podium-sign-in-link").click()
    wait_for(browser, "!!document.querySelector('.podium-sign-in-form')")
    browser.find_element(By.NAME, "name").send_keys("alice")
    browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD + Keys.ENTER)
    wait_for(browser, "location.pathname === '/meeting/seed' && !!document.getElementById('podium-editor')")
    wait_for(browser, "document.getElementById('podium-audio').readyState >= 1")
    assert "开始时间设为播放位置" in browser.find_element(By.ID, "podium-keys").text  # the keys, listed
    browser.find_element(By.TAG_NAME, "h1").click()
    keys(browser, "n")  # the next sentence to check is selected for editing
    wait_for(browser, "document.getElementById('s-3-0').classList.contains('podium-selected')")
    assert "podium-to-check" in row(browser, "s-3-0")["cls"]

    # select 2-0 by a click, set its start to the playhead, nudge it +0.1 s and -0.01 s (Alt)
    browser.find_element(By.ID, "s-2-0").click()
    wait_for(browser, "document.getElementById('s-2-0').classList.contains('podium-selected')")
    playhead_at(browser, 5.0)
    keys(browser, "[")
    wait_for(browser, "document.getElementById('s-2-0').dataset.version === '1'")
    assert row(browser, "s-2-0")["start"] == 5.0 and row(browser, "s-2-0")["corrected"]
    assert message(browser) == "已保存" and browser.find_element(By.ID, "p2").get_attribute("data-start") == "5"
    keys(browser, ".")
    with_alt(browser, ",")
    wait_for(browser, "document.getElementById('s-2-0').dataset.version === '3'")
    assert row(browser, "s-2-0")["start"] == 5.09

    # ↑ to 1-0; its end to the playhead, where 2-0 starts; then > moves both (a coupled boundary, one action)
    keys(browser, Keys.ARROW_UP)
    wait_for(browser, "document.getElementById('s-1-0').classList.contains('podium-selected')")
    playhead_at(browser, 5.09)
    keys(browser, "]")
    wait_for(browser, "document.getElementById('s-1-0').dataset.version === '1'")
    assert row(browser, "s-1-0")["end"] == 5.09 and row(browser, "s-2-0")["version"] == "3"
    keys(browser, ">")
    wait_for(browser, "document.getElementById('s-1-0').dataset.version === '2'")
    assert (row(browser, "s-1-0")["end"], row(browser, "s-2-0")["start"], row(browser, "s-2-0")["version"]) == (
        5.19, 5.19, "4")
    # p plays 1.5 s around the selected boundary (1-0's end), then stops
    keys(browser, "p")
    wait_for(browser, "!document.getElementById('podium-audio').paused", timeout=5)
    wait_for(browser, "document.getElementById('podium-audio').paused", timeout=5)
    assert 5.8 <= audio_state(browser)["t"] <= 6.4, audio_state(browser)

    # ↓ ↓ to 3-0 and fix the typo in place (e, Enter)
    keys(browser, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    wait_for(browser, "document.getElementById('s-3-0').classList.contains('podium-selected')")
    keys(browser, "e")
    wait_for(browser, "!!document.querySelector('#s-3-0 .podium-inline-edit')")
    box = browser.find_element(By.CSS_SELECTOR, "#s-3-0 .podium-inline-edit")
    typed = box.get_attribute("value")
    assert TYPO in typed
    box.clear()
    box.send_keys(typed.replace(TYPO, FIXED) + Keys.ENTER)
    wait_for(browser, "document.getElementById('s-3-0').dataset.version === '1'")
    assert FIXED in row(browser, "s-3-0")["text"] and row(browser, "s-3-0")["corrected"]
    assert not browser.find_elements(By.CSS_SELECTOR, ".podium-inline-edit")
    assert "未能重新对齐" in message(browser)  # the site archive has no transcript to align again from: said so

    # someone else changes 3-0 meanwhile: this page's nudge answers 409, shows the value now and takes it
    conn = store.open_for_writing(db)
    corrections.apply(conn, [corrections.Edit("sentences", "seed_p0003_s000", "end", 17.0)], editor="bob")
    conn.close()
    keys(browser, "<")
    wait_for(browser, "document.getElementById('podium-edit-message').textContent.indexOf('他人已修改') >= 0")
    assert row(browser, "s-3-0")["end"] == 17.0 and row(browser, "s-3-0")["version"] == "2"
    assert "podium-to-check" not in row(browser, "s-3-0")["cls"]  # a person set its end: checked
    assert "00:00:17.0" in message(browser)

    # strike the off-script passage (click, x): gone from the page
    browser.find_element(By.CSS_SELECTOR, '[data-id="seed_u0000"]').click()
    wait_for(browser, "document.querySelector('[data-id=\"seed_u0000\"]').classList.contains('podium-selected')")
    browser.execute_script("document.getElementById('podium-audio').pause();")
    keys(browser, "x")
    wait_for(browser, "!document.querySelector('[data-id=\"seed_u0000\"]')")
    assert "掌声雷动" not in browser.find_element(By.ID, "podium-text").text

    # mark 1-0 partly spoken (2), then undo that (u): spoken again, in place
    browser.find_element(By.ID, "s-1-0").click()
    browser.execute_script("document.getElementById('podium-audio').pause();")
    keys(browser, "2")
    wait_for(browser, "document.getElementById('s-1-0').classList.contains('podium-partial')")
    keys(browser, "u")
    wait_for(browser, "document.getElementById('s-1-0').classList.contains('podium-spoken')")
    assert message(browser) == "已撤销" and "podium-partial" not in row(browser, "s-1-0")["cls"]
    # undo again: the strike; the passage comes back (the page reloads, the selection and the message kept) ...
    browser.execute_script("window.podiumBeforeReload = true;")
    keys(browser, "u")
    wait_for(browser, "!window.podiumBeforeReload && !!document.querySelector('[data-id=\"seed_u0000\"]')")
    wait_for(browser, "document.getElementById('s-1-0').classList.contains('podium-selected')")
    assert message(browser) == "已撤销"
    browser.find_element(By.CSS_SELECTOR, '[data-id="seed_u0000"]').click()  # ... and is struck once more
    browser.execute_script("document.getElementById('podium-audio').pause();")
    keys(browser, "x")
    wait_for(browser, "!document.querySelector('[data-id=\"seed_u0000\"]')")

    # the history panel: each change, with its editor
    browser.find_element(By.ID, "podium-history-toggle").click()
    wait_for(browser, "document.querySelectorAll('#podium-history tbody tr').length >= 13")
    history = browser.execute_script(
        "return Array.from(document.querySelectorAll('#podium-history tbody tr')).map("
        "r => Array.from(r.cells).map(c => c.textContent));")
    people = [(who, where, field) for _, _, who, where, field, _, _ in history if who != "机器"]
    assert people == [("alice", "u0", "struck"), ("alice", "u0", "struck"), ("alice", "1-0", "status"),
                      ("alice", "1-0", "status"), ("alice", "u0", "struck"),
                      ("bob", "3-0", "end"), ("alice", "3-0", "text"), ("alice", "1-0", "end"),
                      ("alice", "2-0", "start"), ("alice", "1-0", "end"), ("alice", "2-0", "start"),
                      ("alice", "2-0", "start"), ("alice", "2-0", "start")]
    browser.find_element(By.ID, "s-2-0").click()  # the panels stay open (Datasette closes <details> on any click)
    browser.execute_script("document.getElementById('podium-audio').pause();")
    assert browser.find_element(By.ID, "podium-history-body").is_displayed()
    assert browser.find_element(By.ID, "podium-keys-list").is_displayed()
    browser.save_screenshot(str(ARTIFACTS / "meeting-editing.png"))

    # sign out: the same page, no edit controls
    browser.find_element(By.CSS_SELECTOR, ".podium-sign-out").click()
    wait_for(browser, "!!document.querySelector('.podium-sign-in-link')")
    assert not browser.find_elements(By.ID, "podium-editor")

    # a reader sees the result at once, on a public server of the same archive too: page, search, CSV
    with running_server(db) as public:
        for site in (base, public):
            open_meeting(browser, site)
            assert not browser.find_elements(By.CSS_SELECTOR, "#podium-editor, [data-version], .podium-inline-edit")
            assert browser.find_element(By.ID, "s-2-0").get_attribute("data-start") == "5.19"
            assert browser.find_element(By.ID, "s-1-0").get_attribute("data-end") == "5.19"
            assert FIXED in browser.find_element(By.ID, "s-3-0").text and "掌声雷动" not in browser.page_source
            assert len(browser.find_elements(By.CSS_SELECTOR, ".podium-corrected-mark")) == 3
            assert not browser.find_elements(By.CSS_SELECTOR, ".podium-to-check")
            browser.get(f"{site}/search?q={FIXED}")
            wait_for(browser, "document.querySelectorAll('.podium-hit').length >= 1")
            assert FIXED in browser.find_element(By.CSS_SELECTOR, ".podium-hit").text
            with urllib.request.urlopen(f"{site}/search.csv?q=%E6%89%93%E8%83%9C%E4%BB%97") as answer:  # 打胜仗
                exported = list(csv.DictReader(io.StringIO(answer.read().decode("utf-8"))))
            assert [(r["meeting_id"], r["paragraph_seq"], r["end"]) for r in exported if r["kind"] == "official"] == [
                ("seed", "3", "17.0")]
            with urllib.request.urlopen(f"{site}/search.json?q=%E8%83%9C%E4%B8%88") as answer:  # the typo: gone
                assert json.load(answer)["rows"] == []
            with urllib.request.urlopen(f"{site}/search.json?q=%E6%8E%8C%E5%A3%B0") as answer:  # the struck passage
                assert json.load(answer)["rows"] == []
            with urllib.request.urlopen(f"{site}/-/podium/history/seed.json") as answer:
                changes = [c for c in json.load(answer)["changes"] if not c["machine"]]
            assert [(c["editor"], c["row"], c["field"]) for c in changes] == people
