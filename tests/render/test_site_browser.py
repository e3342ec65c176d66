"""Issue 13 item 7: the HTML output is a static intranet site that works from a file share (file://,
no server), tested in a real headless browser (Debian's chromium and chromium-driver through Selenium).

Under CI=true a missing browser, driver or Selenium fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_repo  # at collection: inside a test, `conftest` may be another folder's

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI (make setup installs chromium and chromium-driver)")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example organisation's manual as a site, rendered by the real command line."""
    out = tmp_path_factory.mktemp("site") / "site"
    done = subprocess.run([sys.executable, "-m", "qms", "--root", str(REPO), "render", "manual", "--format", "html",
                           "--lang", "vi", "-o", str(out)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium")
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        _missing("chromium / chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _search(driver: object, text: str) -> list[str]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.ID, "qms-search")  # type: ignore[attr-defined]
    box.clear()
    box.send_keys(text)
    WebDriverWait(driver, 10).until(  # type: ignore[arg-type]
        lambda d: d.find_element(By.ID, "qms-search-status").text != "")
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#qms-results a")]  # type: ignore[attr-defined]


def test_site_index_search_links_flowchart_and_console(site: Path, browser: object) -> None:
    """S1: from file:// the index loads, search finds Đăng ký khai sinh with and without diacritics (đ folded to d),
    the result and the table-of-contents links open the procedure, its flowchart SVG is visible, and the
    browser logs no error."""
    from selenium.webdriver.common.by import By

    driver = browser
    script = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(script.removeprefix("window.QMS_SEARCH = ").rstrip().removesuffix(";"))
    assert any(e["title"] == "Đăng ký khai sinh" for e in entries)  # the example has the procedure
    driver.get((site / "index.html").as_uri())  # type: ignore[attr-defined]
    assert "Sổ tay chất lượng" in driver.title  # type: ignore[attr-defined]
    for typed in ("đăng ký khai sinh", "dang ky khai sinh", "DANG KY KHAI SINH"):
        found = _search(driver, typed)
        assert any("Đăng ký khai sinh" in f for f in found), (typed, found)
        assert all("Đăng ký khai tử" not in f for f in found), (typed, found)
    assert _search(driver, "zzzz không có") == []
    # a step's words find their procedure too
    _search(driver, "dang ky khai sinh")
    link = next(a for a in driver.find_elements(By.CSS_SELECTOR, "#qms-results a")  # type: ignore[attr-defined]
                if "Đăng ký khai sinh" in a.text)
    link.click()
    assert driver.current_url.endswith("/QT-HT-01.html")  # type: ignore[attr-defined]
    svg = driver.find_element(By.CSS_SELECTOR, ".diagram svg")  # type: ignore[attr-defined]
    assert svg.is_displayed() and svg.size["width"] > 200 and svg.size["height"] > 100
    back = driver.find_element(By.CSS_SELECTOR, 'a[href="index.html"]')  # type: ignore[attr-defined]
    back.click()
    assert driver.current_url.endswith("/index.html")  # type: ignore[attr-defined]
    toc = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".toc a")]  # type: ignore[attr-defined]
    pages = [h for h in toc if h and h.endswith(".html")]
    assert len(pages) >= 10
    for href in pages:
        assert Path(href.removeprefix("file://")).is_file(), href
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert not errors, errors


def test_site_shows_the_logo_on_screen(tmp_path: Path, browser: object) -> None:
    """R10-4: the site hid its running header on screen and with it the organisation's logo; the cover of each
    page now shows the logo (copied into the site's assets) above the agency's name, and the print header keeps
    its own."""
    import io

    from PIL import Image
    from selenium.webdriver.common.by import By

    root = make_repo(tmp_path / "repo")
    manifest = root / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "  short_name:" in text
    manifest.write_text(text.replace("  short_name:", "  logo: assets/logo.png\n  short_name:", 1), encoding="utf-8")
    (root / "assets").mkdir()
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(buf, format="PNG")
    (root / "assets" / "logo.png").write_bytes(buf.getvalue())
    out = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "qms", "--root", str(root), "render", "procedure", "QT-HT-01",
                           "--format", "html", "--lang", "vi", "-o", str(out)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0 and "refused" not in done.stderr, done.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count('src="assets/logo.png"') == 2  # the print header and the cover
    driver = browser
    driver.get((out / "index.html").as_uri())  # type: ignore[attr-defined]
    shown = [img for img in driver.find_elements(By.CSS_SELECTOR, "img")  # type: ignore[attr-defined]
             if img.get_attribute("src").endswith("/assets/logo.png") and img.is_displayed()]
    assert len(shown) == 1, "the logo is not visible on screen"
    logo = shown[0]
    assert int(logo.get_attribute("naturalWidth")) == 120  # the file was copied and loads
    org = driver.find_element(By.CSS_SELECTOR, ".cover .org")  # type: ignore[attr-defined]
    assert logo.location["y"] < org.location["y"]
