"""End to end in headless Chromium against a real `parley serve`: sign in, create a tracker, upload real
two-speaker speech, watch it complete, play and follow the transcript, seek by clicking, rename a speaker,
export SRT, share the page and open the link signed out. Screenshots land in tests/web/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import ServerProcess, create_app_cli, parley_env, start_server, stop_server
from tests.support import shared

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
SPEECH = "diarization/pyannote_sample.wav"  # Diane and Sheila on the phone, 30 s


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    root = tmp_path_factory.mktemp("web-e2e")
    env = parley_env(root / "data", f"sqlite:///{root / 'parley.db'}")
    app = create_app_cli(env, name="Support team")
    process = start_server(env, root / "server.log")
    try:
        yield process, app
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError(
            "Chromium is not installed at /usr/bin/chromium; run `make test`, which installs it"
        )
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def _snap(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, base: str, app: dict[str, str]) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.get_by_label("App ID").fill(app["appId"])
    page.get_by_label("App secret").fill(app["appSecret"])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Library")).to_be_visible()


def _create_tracker(page: Page, base: str) -> None:
    page.goto(f"{base}/trackers")
    page.get_by_label("Name", exact=True).fill("Hometown")
    page.get_by_label("Phrases, one per line").fill("originally from Chicago")
    page.get_by_role("button", name="Create tracker").click()
    expect(page.get_by_role("heading", name="Hometown")).to_be_visible()


def _upload(page: Page, base: str) -> None:
    page.goto(f"{base}/upload")
    page.get_by_label("Name").fill("Diane and Sheila")
    page.get_by_label("Tell speakers apart (diarization)").check()
    page.get_by_label("Number of speakers, if you know it").fill("2")
    page.get_by_label("Hometown").check()
    page.get_by_label("An audio or video file").set_input_files(str(shared(SPEECH)))
    _snap(page, "upload")
    page.get_by_role("button", name="Upload and process").click()
    expect(page.locator("#upload-progress")).to_be_visible()
    page.wait_for_url(re.compile(r"/conversations/\d+$"), timeout=150_000)
    expect(page.locator("#transcript li").first).to_be_visible()


def _current_sentence(page: Page) -> dict[str, float]:
    return page.evaluate(
        """() => {
            const media = document.querySelector('[data-player]');
            const current = document.querySelector('.sentence.is-current .seek');
            return {time: media.currentTime, start: current ? parseFloat(current.dataset.start) : -1,
                    word: parseFloat((document.querySelector('.is-word') || {dataset: {w: -1}}).dataset.w)};
        }"""
    )


def _play_from(page: Page, seconds: float) -> None:
    page.evaluate(
        """async (at) => {
            const media = document.querySelector('[data-player]');
            media.muted = true;
            media.currentTime = at;
            await media.play();
            await new Promise((done) => setTimeout(done, 700));
        }""",
        seconds,
    )


def _check_highlight_follows(page: Page) -> None:
    starts = [
        float(s)
        for s in page.locator("#transcript [data-start]").evaluate_all("e => e.map(x => x.dataset.start)")
    ]
    assert len(starts) >= 4, starts
    for index in (1, len(starts) - 2):
        _play_from(page, starts[index] + 0.05)
        seen = _current_sentence(page)
        assert seen["time"] > starts[index] + 0.3, "the player is playing"
        expected = max(start for start in starts if start <= seen["time"] + 0.05)
        assert seen["start"] == expected, (seen, starts)
        assert starts[index] <= seen["word"] <= seen["time"] + 0.05, seen
    page.evaluate("() => document.querySelector('[data-player]').pause()")


def _check_click_seeks(page: Page) -> None:
    sentence = page.locator("#transcript .seek").nth(2)
    start = sentence.get_attribute("data-start") or "nan"
    sentence.click()
    time = page.evaluate("() => document.querySelector('[data-player]').currentTime")
    assert abs(time - float(start)) < 0.5, (time, start)
    expect(page.locator("#transcript li.is-current .seek")).to_have_attribute("data-start", start)
    expect(sentence).to_be_focused()
    page.evaluate("() => document.querySelector('[data-player]').pause()")


def test_a_team_uses_the_web_ui_end_to_end(
    server: tuple[ServerProcess, dict[str, str]], browser: Browser
) -> None:
    process, app = server
    base = process.base_url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    _sign_in(page, base, app)
    _create_tracker(page, base)
    _upload(page, base)

    expect(page.locator("#tracker-hits")).to_contain_text("Hometown")
    expect(page.locator("#tracker-hits")).to_contain_text("originally from Chicago")
    _check_highlight_follows(page)
    _check_click_seeks(page)

    first_name = page.locator(".rename input[name=name]").first
    old_name = first_name.input_value()
    first_name.fill("Diane")
    page.locator(".rename").first.get_by_role("button", name="Rename").click()
    expect(page.locator("#transcript .who", has_text="Diane").first).to_be_visible()
    assert page.locator("#transcript .who", has_text=old_name).count() == 0

    with page.expect_download() as download:
        page.get_by_role("link", name="SRT").click()
    srt = Path(download.value.path()).read_text()
    assert srt.startswith("1\n00:00:") and "Diane: " in srt

    page.get_by_role("button", name="Share").click()
    link = page.locator("#share-url").input_value()
    page.locator("#transcript .seek").nth(4).click()  # the picture shows a highlighted sentence
    page.evaluate("() => { document.querySelector('[data-player]').pause(); window.scrollTo(0, 0); }")
    _snap(page, "conversation")

    page.goto(f"{base}/trackers")
    expect(page.locator("article", has_text="Hometown")).to_contain_text("Diane and Sheila")
    _snap(page, "trackers")
    page.goto(f"{base}/?q=Chicago")
    expect(page.locator(".library")).to_contain_text("Diane and Sheila")
    _snap(page, "library")
    narrow = context.new_page()
    narrow.set_viewport_size({"width": 390, "height": 844})
    narrow.goto(page.url)
    _snap(narrow, "library-narrow")
    context.close()

    stranger = browser.new_context(viewport={"width": 1280, "height": 900})
    shared_page = stranger.new_page()
    shared_page.goto(link)
    expect(shared_page.get_by_role("heading", name="Diane and Sheila")).to_be_visible()
    expect(shared_page.locator(".shared-note")).to_contain_text("read-only")
    assert shared_page.locator(".rename").count() == 0 and shared_page.locator("form").count() == 0
    duration = shared_page.evaluate(
        """async () => { const m = document.querySelector('[data-player]');
            if (m.readyState < 1) await new Promise((done) => m.addEventListener('loadedmetadata', done));
            return m.duration; }"""
    )
    assert 29 < duration < 31
    _snap(shared_page, "shared")
    stranger.close()
