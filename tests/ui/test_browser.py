"""One real browser run: start the app, sign in, register a sample, find it in the list."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from labsys.db import make_engine, upgrade
from tests.conftest import make_actors, sqlite_url

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """The app served by a real Streamlit server on a free port, on a fresh SQLite lab."""
    url = sqlite_url(tmp_path)
    engine = make_engine(url)
    upgrade(engine)
    make_actors(engine)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "LABSYS_DATABASE_URL": url, "LABSYS_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless=true",
            f"--server.port={port}",
            "--browser.gatherUsageStats=false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the Streamlit server did not start within 60 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_sign_in_register_and_find_the_sample(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(app_url)
        page.get_by_label("User name").fill("volunteer")
        page.get_by_label("Password", exact=True).fill("volunteer-pass")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Register a sample")).to_be_visible()
        # A volunteer is offered lab pages only: no review, monitoring or alert pages.
        expect(page.get_by_role("link", name="Plate photos")).to_be_visible()
        for hidden in ("Review results", "Monitoring", "Alerts", "Import references"):
            expect(page.get_by_role("link", name=hidden)).to_have_count(0)

        page.get_by_label("Sold / expected as").click()
        page.get_by_role("option", name="ketamine").click()
        page.get_by_label("Site").fill("Festival tent")
        page.get_by_label("Colour").fill("white")
        page.get_by_role("button", name="Register sample").click()
        success = page.get_by_text("Registered sample")
        expect(success).to_be_visible()
        code = success.locator("strong").inner_text()
        page.screenshot(path=str(tmp_path / "registered.png"), full_page=True)

        page.get_by_role("link", name="Sample list").click()
        expect(page.get_by_role("heading", name="Samples")).to_be_visible()
        page.get_by_label("Code").fill(code[:4])
        page.get_by_label("Code").press("Enter")
        expect(page.get_by_text("1 sample(s)")).to_be_visible()
        expect(page.get_by_test_id("stDataFrame")).to_be_visible()
        page.screenshot(path=str(tmp_path / "sample-list.png"), full_page=True)
        browser.close()
    assert (tmp_path / "sample-list.png").stat().st_size > 10_000
