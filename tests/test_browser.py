"""The web pages in a real headless browser: Debian's chromium, driven by Selenium through chromedriver.

Screenshots of every page visited are saved under build/test-artefacts/screenshots/.
"""

import shutil
from pathlib import Path

import pytest

from conftest import ARTEFACTS, activity_count
from servers import tvetkg_server
from tvetkg.query import run_local

pytestmark = pytest.mark.server
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT = 30


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    with tvetkg_server(tmp_path_factory.mktemp("serve"), "--workers", "2") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for program in (CHROMIUM, CHROMEDRIVER):
        if not Path(program).exists():
            raise RuntimeError(f"{program} is missing: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--window-size=1280,900", "--lang=en-GB",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def screenshot(driver, name: str) -> Path:
    """Save the page as a picture, after checking that its scripts raised no error."""
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE" and e["source"] == "javascript"]
    assert errors == [], errors
    folder = ARTEFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not an empty picture
    return path


def wait_for(driver, condition):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition)


def test_home_page_renders_counts_and_areas(browser, base, graph):
    from selenium.webdriver.common.by import By

    browser.get(base + "/?lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "TVET cooperation in the OIC"
    counts = {li.get_attribute("data-count"): li.find_element(By.TAG_NAME, "strong").text
              for li in browser.find_elements(By.CSS_SELECTOR, "#counts li")}
    assert counts["activities"] == activity_count(graph)
    areas = browser.find_elements(By.CSS_SELECTOR, "#areas tbody tr")
    assert [a.find_elements(By.TAG_NAME, "td")[0].text for a in areas] == ["1", "2", "3", "4"]
    assert browser.find_element(By.CSS_SELECTOR, "#areas a").is_displayed()
    screenshot(browser, "home-en")


def test_activity_page_shows_its_facts_and_sources(browser, base):
    from selenium.webdriver.common.by import By

    browser.get(base + "/id/tot-cybersecurity-2024?lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Training of trainers on cybersecurity"
    facts = {row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
             for row in browser.find_elements(By.CSS_SELECTOR, "table.facts tbody tr")}
    assert "2024-10-18" in facts["start date"]
    assert "Islamic University of Technology" in facts["partner"]
    sources = browser.find_elements(By.CSS_SELECTOR, "#sources li")
    assert any("OIC-VET progress report 2024" in s.text for s in sources)
    screenshot(browser, "activity-en")
    browser.find_element(By.LINK_TEXT, "Islamic University of Technology").click()
    wait_for(browser, lambda d: d.current_url.endswith("/id/iut"))
    assert browser.find_element(By.CSS_SELECTOR, 'section[data-query="partners-of"]').is_displayed()


def test_query_page_runs_a_catalogue_query_and_shows_its_rows(browser, base, cli):
    import json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(base + "/query?lang=en")
    Select(browser.find_element(By.ID, "catalogue")).select_by_value("partners-of")
    wait_for(browser, lambda d: "VALUES (?org ?lang)" in d.find_element(By.ID, "editor").get_attribute("value"))
    org = browser.find_element(By.CSS_SELECTOR, '#param-fields input[name="org"]')
    org.clear()
    org.send_keys("id:unesco-unevoc")
    browser.find_element(By.ID, "load").click()
    wait_for(browser, lambda d: "unesco-unevoc" in d.find_element(By.ID, "editor").get_attribute("value"))
    browser.find_element(By.ID, "run").click()
    rows = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#table tbody tr"))
    code, out, _ = cli("query", "partners-of", "--param", "org=id:unesco-unevoc", "--format", "json")
    expected = json.loads(out)["results"]["bindings"]
    assert code == 0 and len(rows) == len(expected) > 0
    shown = {r.find_elements(By.TAG_NAME, "td")[0].text for r in rows}
    assert shown == {"id:" + b["partner"]["value"].rsplit("/", 1)[1] for b in expected}
    assert browser.find_element(By.ID, "csv").is_displayed()
    assert "format=csv" in browser.find_element(By.ID, "csv").get_attribute("href")
    screenshot(browser, "query-partners-of")


def test_the_french_query_page_gives_parameters_and_columns_in_french(browser, base):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from tvetkg.catalogue import catalogue, column_headings

    query = catalogue()["partners-of"]
    browser.get(base + "/query?lang=fr")
    Select(browser.find_element(By.ID, "catalogue")).select_by_value("partners-of")
    fields = wait_for(browser, lambda d: d.find_element(By.ID, "param-fields").text)
    for param in query.params:
        assert param.description_in("fr") in fields and param.description not in fields
    assert "facultatif" in fields
    browser.find_element(By.ID, "run").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#table tbody tr"))
    headers = browser.find_elements(By.CSS_SELECTOR, "#table thead th")
    french = column_headings("fr")
    assert [h.text for h in headers] == [french[v[1:]] for v in query.returns.split()]
    assert [h.get_attribute("title") for h in headers] == query.returns.split()
    screenshot(browser, "query-partners-of-fr")


def test_query_page_shows_a_syntax_error(browser, base):
    from selenium.webdriver.common.by import By

    browser.get(base + "/query")
    editor = browser.find_element(By.ID, "editor")
    editor.clear()
    editor.send_keys("SELECT * WHERE { ?s ?p }")
    browser.find_element(By.ID, "run").click()
    status = wait_for(browser, lambda d: "400" in d.find_element(By.ID, "status").text and d.find_element(By.ID, "status"))
    assert "SPARQL syntax error" in status.text


def test_network_page_draws_the_nodes(browser, base, graph):
    from selenium.webdriver.common.by import By

    from tvetkg.network import Filters, build_network, fetch

    rows, orgs = fetch(lambda sparql: run_local(graph, sparql), Filters("en"))
    network = build_network("organisations", rows, orgs)
    browser.get(base + "/network?lang=en")
    nodes = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "svg g.node circle"))
    assert len(nodes) == network.number_of_nodes() > 10
    assert all(float(n.get_attribute("r")) > 0 for n in nodes)
    screenshot(browser, "network-en")


def test_switching_to_arabic_turns_the_page_right_to_left(browser, base):
    from selenium.webdriver.common.by import By

    browser.get(base + "/id/sesric?lang=en")
    assert browser.execute_script("return getComputedStyle(document.body).direction") == "ltr"
    browser.find_element(By.ID, "lang-ar").click()
    wait_for(browser, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ar")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    assert browser.execute_script("return getComputedStyle(document.body).direction") == "rtl"
    assert browser.find_element(By.TAG_NAME, "h1").text == "سيسرك"
    screenshot(browser, "organisation-ar")
    browser.get(base + "/")  # the choice is remembered
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    screenshot(browser, "home-ar")
    browser.find_element(By.ID, "lang-en").click()


def test_the_offline_network_file_of_the_command_line_draws_too(browser, cli, tmp_path):
    from selenium.webdriver.common.by import By

    code, _, err = cli("network", "--out", tmp_path, "--format", "html", "--lang", "ar")
    assert code == 0, err
    browser.get((tmp_path / "organisations.html").as_uri())
    nodes = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "svg g.node circle"))
    assert len(nodes) > 10
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    screenshot(browser, "network-file-ar")
