"""The review page in a real browser: Debian's headless Chromium (through its chromedriver) loads it from disk,
offline; clicking a line or a review entry moves the audio there, the space bar plays, nothing is fetched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import stt
from tests.support.media import write_tracks
from tests.support.rooms import microphones

FAST = ["--model", "tiny.en"]
LIBRISPEECH = Path(__file__).resolve().parent.parent / "data" / "en_librispeech"

pytestmark = pytest.mark.skipif(
    not shutil.which("chromedriver") or not shutil.which("chromium"), reason="needs chromium and chromium-driver"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    from stt_cli.media.decode import load_audio

    folder = tmp_path_factory.mktemp("review")
    clips = ["1089-134686-0000.flac", "61-70968-0000.flac", "1089-134691-0000.flac"]
    turns = [(i % 2, load_audio(LIBRISPEECH / clip).samples) for i, clip in enumerate(clips)]
    signal, _ = microphones(turns, 2, overlap_every=2, overlap=1.5)
    path = write_tracks(folder / "hearing.wav", [signal], codec="pcm_s16le", rate=16_000, layout="stereo")
    result = stt("transcribe", path, *FAST, "--channel-speakers", "Judge,Witness", "-f", "html,review,json", "-q")
    assert result.exit_code == 0, result.output
    return folder / "hearing.html"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
                 "--window-size=1280,900", "--mute-audio"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def _ready(browser) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.getElementById('audio').readyState") >= 1
    )


def test_clicking_a_line_or_a_word_plays_from_there(page, browser):
    browser.get(page.as_uri())
    _ready(browser)
    lines = browser.find_elements("css selector", "p.turn")
    assert len(lines) >= 3
    for line in lines[1:3]:
        line.find_element("css selector", ".tc").click()
        at = browser.execute_script("return document.getElementById('audio').currentTime")
        assert abs(at - float(line.get_attribute("data-start"))) <= 0.1
    word = browser.find_elements("css selector", "span.w")[7]
    word.click()
    at = browser.execute_script("return document.getElementById('audio').currentTime")
    assert abs(at - float(word.get_attribute("data-start"))) <= 0.1


def test_the_review_list_jumps_and_the_space_bar_plays(page, browser, tmp_path):
    from selenium.webdriver.common.keys import Keys

    browser.get(page.as_uri())
    _ready(browser)
    entries = browser.find_elements("css selector", "aside a")
    rows = page.with_name("hearing.review.tsv").read_text().splitlines()[1:]
    assert entries and len(entries) == len(rows)  # the page lists what the review TSV lists
    entries[-1].click()
    at = browser.execute_script("return document.getElementById('audio').currentTime")
    assert abs(at - float(entries[-1].get_attribute("data-start"))) <= 0.1
    target = browser.find_element("id", entries[-1].get_attribute("data-target"))
    assert "target" in target.get_attribute("class")
    browser.execute_script("document.getElementById('audio').pause()")
    browser.find_element("tag name", "body").send_keys(Keys.SPACE)
    assert browser.execute_script("return document.getElementById('audio').paused") is False
    browser.save_screenshot(str(tmp_path / "review.png"))  # looked at while building the page
    assert (tmp_path / "review.png").stat().st_size > 10_000


def test_the_page_fetches_nothing_and_says_when_the_recording_is_gone(page, browser, tmp_path):
    browser.get(page.as_uri())
    _ready(browser)
    requests = [
        json.loads(entry["message"])["message"]["params"].get("request", {}).get("url", "")
        for entry in browser.get_log("performance")
        if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"
    ]
    assert requests and all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests
    moved = tmp_path / "moved.html"
    shutil.copy(page, moved)  # the page without its recording beside it
    browser.get(moved.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: d.find_element("id", "missing").is_displayed())
    assert "not found" in browser.find_element("id", "missing").text


def test_the_page_opens_at_a_cited_second(page, browser):
    browser.get(page.as_uri() + "#t=4.5")
    _ready(browser)
    assert abs(browser.execute_script("return document.getElementById('audio').currentTime") - 4.5) < 0.05
    assert browser.find_elements("css selector", "span.w.now")
