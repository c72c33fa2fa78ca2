"""Headless Chromium and Node.js for the form's tests and benchmarks.

Locally a missing tool skips the tests that need it; in CI (CI=true) it
fails them, so a CI machine without Chromium cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = ROOT / "tests" / "js"
AXE_PATH = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str) -> None:
    """Skip locally, fail in CI, when a tool the test needs is missing."""
    if condition:
        return
    message = f"{what} is missing"
    if in_ci():
        pytest.fail(f"{message}; CI must install it (see docs/sheets.md)", pytrace=False)
    pytest.skip(message)


def node_path() -> str:
    found = shutil.which("node")
    require(found is not None, "node (Node.js)")
    return found


def run_node(script: Path, *args: str, stdin: str | None = None) -> str:
    completed = subprocess.run(
        [node_path(), str(script), *args], input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=600
    )
    if completed.returncode != 0:
        raise AssertionError(f"node {script.name} failed ({completed.returncode}):\n{completed.stderr}")
    return completed.stdout


def chromium_paths() -> tuple[str, str]:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    require(chromium is not None, "chromium (apt package chromium)")
    require(driver is not None, "chromedriver (apt package chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        require(False, "selenium (pip install -e .[test])")
    return chromium, driver


def axe_source() -> str:
    require(AXE_PATH.exists(), "axe-core (npm ci in tests/js)")
    return AXE_PATH.read_text(encoding="utf-8")


@contextmanager
def chromium(download_dir: Path | None = None, width: int = 1400, height: int = 1000):
    """A headless Chromium driven by Selenium, with a fresh profile."""
    binary, driver_path = chromium_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="rubricdsl-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    if download_dir is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(download_dir),
                "download.prompt_for_download": False,
                "download.directory_upgrade": True,
                "safebrowsing.enabled": False,
            },
        )
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        if download_dir is not None:
            driver.execute_cdp_cmd(
                "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)}
            )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
