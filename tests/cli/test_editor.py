"""``stt edit`` as a clerk uses it: the real server process on the loopback address, the page in Debian's headless
Chromium (through its chromedriver), a transcript made by the real model with speakers from the bundled
diarization. Every change is made with the mouse and the keys the README lists, and then read back from the
JSON, from a reloaded page, and from the DOCX that ``stt render`` writes (read with python-docx)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import jsonschema
import pytest

from stt_cli.writers.reading import read_transcript
from tests.support.cli import stt

DATA = Path(__file__).resolve().parent.parent / "data"
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "stt_cli/schema/transcript.schema.json").read_text())
browser_needed = pytest.mark.skipif(
    not shutil.which("chromedriver") or not shutil.which("chromium"), reason="needs chromium and chromium-driver"
)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """A two-speaker conversation transcribed with speakers, once for the module."""
    folder = tmp_path_factory.mktemp("made")
    shutil.copy(DATA / "multi_pyannote" / "sample.flac", folder)
    result = stt("transcribe", folder / "sample.flac", "--diarize", "-f", "json", "-q")
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def hearing(made, tmp_path) -> Path:
    """A fresh copy of the recording and its transcript for each test."""
    for name in ("sample.flac", "sample.json"):
        shutil.copy(made / name, tmp_path / name)
    return tmp_path / "sample.json"


class Server:
    """``stt edit`` as its own process; the URL is the first line it prints."""

    def __init__(self, transcript: Path, *args: str) -> None:
        command = [
            sys.executable,
            "-m",
            "stt_cli",
            "edit",
            str(transcript),
            "--no-browser",
            "--editor",
            "Panitera",
        ]
        self.process = subprocess.Popen(
            [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.url = self.process.stdout.readline().strip()  # type: ignore[union-attr]
        assert self.url.startswith("http://127.0.0.1:"), self.process.stderr.read()  # type: ignore[union-attr]
        parts = urllib.parse.urlsplit(self.url)
        self.host, self.token = parts.netloc, urllib.parse.parse_qs(parts.query)["token"][0]

    def request(self, method: str, path: str, body: dict | None = None, **headers: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, timeout=10)
        data = None if body is None else json.dumps(body).encode()
        connection.request(method, path, body=data, headers={"Host": self.host, **headers})
        reply = connection.getresponse()
        return reply.status, reply.read()

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=20)
        return err


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
                 "--window-size=1400,900", "--mute-audio"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def opened(browser, url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return window.sttReady === true"))


def saved(browser, revision: int) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda d: d.find_element("id", "rev").text == str(revision))


def word(browser, seg: int, i: int):
    return browser.find_element("css selector", f'.w[data-seg="{seg}"][data-i="{i}"]')


def keys(browser, *pressed: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    chain = ActionChains(browser)
    for key in pressed:
        if key.startswith("ctrl+"):
            chain = chain.key_down(Keys.CONTROL).send_keys(key[5:]).key_up(Keys.CONTROL)
        else:
            chain = chain.send_keys(key)
    chain.perform()


@browser_needed
def test_a_clerk_corrects_words_speakers_and_turns_and_every_change_is_in_the_record(hearing, browser, tmp_path):
    from selenium.webdriver.common.keys import Keys

    before = read_transcript(hearing)
    server = Server(hearing)
    try:
        opened(browser, server.url)
        # A word: click it, type, Enter.
        target = word(browser, 0, 0)
        target.click()
        keys(browser, "Halo", Keys.ENTER)
        saved(browser, 1)
        # A speaker renamed once, for the whole transcript: the name's menu, then the prompt.
        browser.find_element("css selector", ".who").click()
        browser.find_element("css selector", "#menu button[data-rename]").click()
        browser.switch_to.alert.send_keys("Hakim Ketua")
        browser.switch_to.alert.accept()
        saved(browser, 2)
        # A turn given to the other speaker, from its name's menu.
        second = browser.find_elements("css selector", ".who")[1]
        moved_seg = int(second.get_attribute("data-seg"))
        second.click()
        browser.find_element("css selector", "#menu button[data-to]").click()
        saved(browser, 3)
        # A turn split at a word (Ctrl+B), then merged back (Ctrl+M).
        word(browser, 0, 3).click()
        keys(browser, Keys.ESCAPE, "ctrl+b")
        saved(browser, 4)
        turns_split = len(browser.find_elements("css selector", "p.turn"))
        word(browser, 1, 0).click()
        keys(browser, Keys.ESCAPE, "ctrl+m")
        saved(browser, 5)
        assert len(browser.find_elements("css selector", "p.turn")) == turns_split - 1
        # A run marked inaudible (Ctrl+U), and a segment checked (Ctrl+Enter).
        word(browser, 0, 1).click()
        keys(browser, Keys.ESCAPE, "ctrl+u")
        saved(browser, 6)
        keys(browser, "ctrl+" + Keys.ENTER)
        saved(browser, 7)
        # Reloaded, the page shows every change.
        opened(browser, server.url)
        assert word(browser, 0, 0).text == "Halo" and "verified" in word(browser, 0, 0).get_attribute("class")
        assert browser.find_element("css selector", ".who").text == "Hakim Ketua:"
        assert browser.find_elements("css selector", ".mark")
        browser.save_screenshot(str(tmp_path / "editor.png"))
        assert (tmp_path / "editor.png").stat().st_size > 10_000
    finally:
        err = server.stop()
    assert "7 change(s) saved" in err
    data = json.loads(hearing.read_text())
    jsonschema.validate(data, SCHEMA)
    assert [e["op"] for e in data["edits"]] == ["replace", "rename", "speaker", "split", "merge", "mark", "check"]
    assert all(e["editor"] == "Panitera" for e in data["edits"])
    assert data["edits"][0]["before"] == before.segments[0].words[0].text.strip()
    assert data["edits"][0]["after"] == "Halo" and data["revision"] == 7
    after = read_transcript(hearing)
    assert after.speaker_name(after.segments[0].speaker) == "Hakim Ketua"
    moved = before.segments[moved_seg]
    now = next(s for s in after.segments if s.start <= moved.start + 0.01 and s.end >= moved.end - 0.01)
    assert now.speaker != moved.speaker and moved.text in now.text
    assert after.marks and after.marks[0].kind.value == "inaudible" and after.segments[0].checked
    # The documents are rendered from the corrected record.
    result = stt("render", hearing, "-f", "docx,changes,txt", "--overwrite")
    assert result.exit_code == 0, result.output
    import docx

    text = "\n".join(p.text for p in docx.Document(str(hearing.with_suffix(".docx"))).paragraphs)
    assert "HAKIM KETUA: Halo" in text
    assert "Corrected: 7 changes by Panitera" in text and "[inaudible " in text
    rows = hearing.with_name("sample.changes.tsv").read_text().splitlines()
    assert len(rows) == 8 and rows[1].split("\t")[3] == "replace"


@browser_needed
def test_a_stale_second_tab_is_refused_with_a_message_and_overwrites_nothing(hearing, browser):
    from selenium.webdriver.common.keys import Keys

    server = Server(hearing)
    try:
        opened(browser, server.url)
        first = browser.current_window_handle
        browser.switch_to.new_window("tab")
        opened(browser, server.url)
        second = browser.current_window_handle
        browser.switch_to.window(first)
        word(browser, 0, 0).click()
        keys(browser, "Pertama", Keys.ENTER)
        saved(browser, 1)
        browser.switch_to.window(second)
        word(browser, 0, 1).click()
        keys(browser, "Kedua", Keys.ENTER)
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(browser, 10).until(lambda d: "revision 1" in d.find_element("id", "status").text)
        assert "reload" in browser.find_element("id", "status").text
        assert "stale" in browser.find_element("tag name", "body").get_attribute("class")
        browser.close()
        browser.switch_to.window(first)
    finally:
        server.stop()
    record = read_transcript(hearing)
    assert record.revision == 1 and record.segments[0].words[0].text.strip() == "Pertama"
    assert "Kedua" not in record.text


def test_only_the_session_token_and_the_printed_address_get_an_answer(hearing):
    server = Server(hearing)
    try:
        token = f"?token={server.token}"
        assert server.request("GET", f"/{token}")[0] == 200
        assert server.request("GET", "/")[0] == 403
        assert server.request("GET", "/?token=wrong")[0] == 403
        assert server.request("GET", f"/{token}", Host="evil.example")[0] == 403  # a DNS rebinding
        assert server.request("GET", f"/api/history{token}", Origin="http://evil.example")[0] == 403
        edit = {"base": 0, "op": {"op": "check", "seg": 0}}
        assert server.request("POST", f"/api/edit{token}", edit, Origin="http://evil.example")[0] == 403
        assert server.request("POST", "/api/edit", edit)[0] == 403
        assert server.request("GET", f"/../../etc/passwd{token}")[0] == 404  # nothing else is served
        assert server.request("GET", f"/sample.json{token}")[0] == 404
        status, body = server.request("GET", f"/audio{token}", Range="bytes=1000-1999")
        assert status == 206 and body == (hearing.with_name("sample.flac").read_bytes()[1000:2000])
        assert read_transcript(hearing).revision == 0
    finally:
        server.stop()


def test_a_second_editor_on_the_same_transcript_is_told_who_has_it(hearing):
    server = Server(hearing)
    try:
        result = stt("edit", hearing, "--no-browser")
        assert result.exit_code == 2 and "is open in another stt edit" in result.stderr
    finally:
        server.stop()


def test_a_server_killed_while_saving_leaves_a_valid_transcript_and_no_saved_change_lost(hearing):
    server = Server(hearing)
    answered: list[int] = []

    def clerk() -> None:  # saves one after another, as fast as the server takes them
        for n in range(400):
            try:
                change = {"base": n, "op": {"op": "check", "seg": 0, "checked": n % 2 == 0}}
                status, body = server.request("POST", f"/api/edit?token={server.token}", change)
            except OSError:
                return
            if status != 200:
                return
            answered.append(json.loads(body)["revision"])

    thread = threading.Thread(target=clerk)
    thread.start()
    while len(answered) < 25:
        time.sleep(0.005)
    os.kill(server.process.pid, signal.SIGKILL)
    thread.join(timeout=20)
    server.process.wait(timeout=10)
    record = read_transcript(hearing)  # valid JSON, a whole revision
    jsonschema.validate(json.loads(hearing.read_text()), SCHEMA)
    assert record.revision >= answered[-1]  # nothing the page was told was saved is lost
    again = Server(hearing)  # a save cut short is finished from the log
    try:
        status, body = again.request("GET", f"/api/history?token={again.token}")
        history = json.loads(body)
        assert status == 200 and history["revision"] >= answered[-1]
        assert len(history["edits"]) == history["revision"]
    finally:
        again.stop()


def test_transcribing_again_renders_from_the_corrected_record(hearing):
    server = Server(hearing)
    try:
        op = {"op": "replace", "seg": 0, "first": 0, "last": 0, "text": "Selamat"}
        assert server.request("POST", f"/api/edit?token={server.token}", {"base": 0, "op": op})[0] == 200
    finally:
        server.stop()
    result = stt("transcribe", hearing.with_name("sample.flac"), "--diarize", "-f", "json,srt")
    assert result.exit_code == 0, result.output
    assert "as corrected in stt edit (revision 1)" in result.stderr
    assert "Selamat" in hearing.with_name("sample.srt").read_text()
    assert read_transcript(hearing).revision == 1  # the record is kept


def test_the_editor_opens_at_a_cited_page_and_line(hearing):
    from stt_cli.cli.edit import _opened_at
    from stt_cli.errors import UsageError
    from stt_cli.writers.citation import cite

    t = read_transcript(hearing)
    lines = cite(t, (1, 1), (1, 20), lines_per_page=25, mark_pauses=10.0)
    line = next(c for c in lines if c.start is not None)
    assert _opened_at(f"{line.page}:{line.line}", t) == line.start and _opened_at("12.5", t) == 12.5
    blank = next(c for c in lines if c.start is None)  # the heading's lines
    with pytest.raises(UsageError, match="holds no speech"):
        _opened_at(f"{blank.page}:{blank.line}", t)
    result = stt("edit", hearing, "--at", "soon", "--no-browser")
    assert result.exit_code == 2 and "PAGE:LINE" in result.stderr
