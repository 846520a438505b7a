"""Editor benchmark: ``stt edit`` on a three-hour hearing's transcript in headless Chromium.

    python -m bench.edit                  # 25,000 words; goals: interactive < 2 s, a change saved < 200 ms
    python -m bench.edit --words 60000    # a six-hour hearing

The transcript is a real one tiled: the bundled two-speaker conversation (``tests/data/multi_pyannote``)
transcribed once with speakers by the default model, its segments repeated with their times shifted until the
transcript has ``--words`` words over about three hours (a hearing's pace: 25,000 words in 3 h). The real
``stt edit`` process serves it on the loopback address; Debian's Chromium (through chromedriver) opens it.

It prints, for the editor and, as the peer measured in the same run, the static review page of the same
transcript (``-f html``, opened from disk):

- until interactive: from navigation to the page drawn and answering (the editor's ``window.sttReady``; the
  review page's load event), median of 3 loads, and the ratio editor / review page;
- a change saved: 20 words corrected one after another through the page (click, type, Enter), each from the
  keypress to the reply drawn (``window.sttLastSave``), median and worst;
- the page's memory: the JS heap Chromium reports after loading (``performance.memory``) and the DOM's element
  count, for both pages.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "multi_pyannote" / "sample.flac"


def tiled(folder: Path, words: int) -> Path:
    """A transcript of ``words`` words made by repeating a real one's segments, times shifted."""
    from stt_cli.writers.json import transcript_json
    from stt_cli.writers.reading import read_transcript

    shutil.copy(SAMPLE, folder / "sample.flac")
    subprocess.run([sys.executable, "-m", "stt_cli", "transcribe", str(folder / "sample.flac"), "--diarize", "-f",
                    "json", "-q"], check=True)  # fmt: skip
    one = read_transcript(folder / "sample.json")
    per = sum(len(s.words) for s in one.segments)
    copies = max(1, round(words / per))
    step = 3 * 3600 / copies if copies * one.duration < 3 * 3600 else one.duration
    segments, turns = [], []
    for n in range(copies):
        shift = n * step
        for s in one.segments:
            moved = tuple(dataclasses.replace(w, start=w.start + shift, end=w.end + shift) for w in s.words)
            segments.append(dataclasses.replace(s, id=len(segments), start=s.start + shift, end=s.end + shift,
                                                words=moved))  # fmt: skip
        turns += [dataclasses.replace(t, start=t.start + shift, end=t.end + shift) for t in one.turns]
    big = dataclasses.replace(one, segments=tuple(segments), turns=tuple(turns), duration=copies * step)
    path = folder / "hearing.json"
    path.write_text(transcript_json(big), encoding="utf-8")
    return path


def browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900", "--mute-audio",
                 "--enable-precise-memory-info"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def loaded(driver, url: str, ready: str) -> float:  # type: ignore[no-untyped-def]
    """Milliseconds from navigation until ``ready`` is true in the page."""
    started = time.perf_counter()
    driver.get(url)
    while not driver.execute_script(f"return {ready}"):
        time.sleep(0.005)
    return (time.perf_counter() - started) * 1000


def memory(driver) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    heap = driver.execute_script("return performance.memory ? performance.memory.usedJSHeapSize : 0")
    return heap / 2**20, driver.execute_script("return document.getElementsByTagName('*').length")


def saves(driver, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    took = []
    for n in range(count):
        revision = int(driver.find_element("id", "rev").text)
        word = driver.find_element("css selector", f'.w[data-seg="{n * 37}"][data-i="0"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", word)
        word.click()
        ActionChains(driver).send_keys(f"kata{n}", Keys.ENTER).perform()
        while driver.find_element("id", "rev").text != str(revision + 1):
            time.sleep(0.002)
        took.append(driver.execute_script("return window.sttLastSave"))
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=25_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-edit-"))
    path = tiled(folder, args.words)
    subprocess.run([sys.executable, "-m", "stt_cli", "render", str(path), "-f", "html", "-q"], check=True)
    from stt_cli.writers.reading import read_transcript

    t = read_transcript(path)
    print(f"transcript: {len(t.words)} words, {len(t.segments)} segments, {t.duration / 3600:.1f} h, "
          f"{path.stat().st_size / 2**20:.1f} MiB of JSON")  # fmt: skip
    server = subprocess.Popen([sys.executable, "-m", "stt_cli", "edit", str(path), "--no-browser"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    url = server.stdout.readline().strip()  # type: ignore[union-attr]
    assert urllib.parse.urlsplit(url).scheme == "http"
    driver = browser()
    try:
        page = [loaded(driver, path.with_suffix(".html").as_uri(), "document.readyState === 'complete'")
                for _ in range(3)]  # fmt: skip
        page_memory = memory(driver)
        editor = [loaded(driver, url, "window.sttReady === true") for _ in range(3)]
        editor_memory = memory(driver)
        took = saves(driver, 20)
    finally:
        driver.quit()
        server.terminate()
        server.wait()
    ready, static = statistics.median(editor), statistics.median(page)
    print(f"{'':28}{'editor':>12}{'review page':>14}{'ratio':>8}")
    print(f"{'until interactive (ms)':28}{ready:12.0f}{static:14.0f}{ready / static:8.2f}   goal < 2000")
    print(f"{'JS heap (MiB)':28}{editor_memory[0]:12.1f}{page_memory[0]:14.1f}"
          f"{editor_memory[0] / max(page_memory[0], 0.1):8.2f}")  # fmt: skip
    print(f"{'DOM elements':28}{editor_memory[1]:12d}{page_memory[1]:14d}{editor_memory[1] / page_memory[1]:8.2f}")
    print(
        f"a change saved (ms): median {statistics.median(took):.0f}, worst {max(took):.0f} of {len(took)}   "
        "goal < 200"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
