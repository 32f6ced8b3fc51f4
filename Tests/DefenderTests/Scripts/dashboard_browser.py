#!/usr/bin/env python3
"""Drives the dashboard in headless Chromium (Selenium) against a server the Swift test started
and filled, and checks what a user sees against the admin API. Usage: dashboard_browser.py CONFIG.json

CONFIG: base (dashboard URL root), adminPassword, reader {name, password, allowed, hidden},
blocked (repository of a scan blocked by the network rules), exempt (a vulnerability ID to
exempt through the settings page), output (folder for screenshots).
Prints one line per failed check; exits 1 if any failed."""
import base64
import datetime
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

cfg = json.load(open(sys.argv[1]))
base = cfg["base"]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAILED:", message, flush=True)
    return condition


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def http(method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def api(path, method="GET", body=None):
    token = base64.b64encode(f"admin:{cfg['adminPassword']}".encode()).decode()
    headers = {"Authorization": "Basic " + token}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    status, _, payload = http(method, path, data, headers)
    assert status < 300, f"{method} {path}: {status} {payload[:300]}"
    return json.loads(payload) if payload else {}


def browser():
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                     "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync"]:
        options.add_argument(argument)
    options.binary_location = cfg.get("chromium", "/usr/bin/chromium")
    driver = webdriver.Chrome(service=Service(cfg.get("chromedriver", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    return driver


def sign_in(driver, name, password):
    driver.get(base + "/ui/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def navigate(driver, element):
    """Clicks something that loads a new page and waits until the new page has replaced the old."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_):
        # Chromium answers a query about a node of the old document either with a stale-element
        # error or, while the new page is being swapped in, with "Node ... does not belong to the
        # document": both mean the old page is gone.
        try:
            page.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 20).until(replaced)


def number(driver, element_id):
    return int(driver.find_element(By.ID, element_id).text.strip())


def shot(driver, name):
    driver.save_screenshot(f"{cfg['output']}/{name}.png")


def wait_until(condition, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


driver = browser()
try:
    # Anonymous: every page sends to the sign-in form, no data is shown.
    driver.get(base + "/ui/images")
    check("/ui/login" in driver.current_url, f"anonymous /ui/images was not sent to sign in: {driver.current_url}")
    status, headers, body = http("GET", "/ui/images")
    check(status == 303 and "/ui/login" in headers.get("Location", ""), f"anonymous GET /ui/images: {status}")
    # The network rules apply to the dashboard too: public access is off in this test.
    try:
        with opener.open(urllib.request.Request(cfg["publicBase"] + "/ui/login"), timeout=30) as response:
            public_status = response.status
    except urllib.error.HTTPError as error:
        public_status = error.code
    check(public_status == 403, f"the dashboard on a public listener with public access disabled answered {public_status}")
    sign_in(driver, "admin", "wrong password")
    check("not right" in driver.page_source, "a wrong password was not refused")

    # The admin signs in: the overview's numbers are the admin API's.
    sign_in(driver, "admin", cfg["adminPassword"])
    check(driver.current_url.rstrip("/").endswith("/ui"), f"after sign-in: {driver.current_url}")
    cookie = driver.get_cookie("drydock_session")
    check(cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict", f"session cookie: {cookie}")
    status_view = api("/admin/defender")
    for key in ["total", "healthy", "unhealthy", "unknown"]:
        check(number(driver, f"images-{key}") == status_view["images"][key],
              f"overview images {key}: page {number(driver, f'images-{key}')} vs API {status_view['images'][key]}")
    listed = api("/admin/findings?state=open")["images"]
    for severity in ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]:
        expected = sum(image["counts"].get(severity, 0) for image in listed)
        check(number(driver, f"open-{severity}") == expected, f"overview open {severity}: page {number(driver, f'open-{severity}')} vs API {expected}")
    check(number(driver, "queue-queued") == status_view["queue"]["queued"], "overview queued count")
    problems = driver.find_element(By.ID, "problems").text
    check(cfg["blocked"] in problems and "blocked-by-network-rules" in problems and "trusted" in problems,
          f"the blocked scan and its reason are not on the overview: {problems[:300]}")
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart")) == 2, "the overview has its two charts")
    shot(driver, "overview")
    driver.set_window_size(390, 844)
    check(driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"),
          "the overview scrolls sideways on a phone-sized window")
    shot(driver, "overview-phone")
    driver.set_window_size(1280, 1000)

    # Keyboard: the first Tab reaches the skip link.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    check(driver.switch_to.active_element.get_attribute("class") == "skip", "the first Tab does not reach the skip link")

    # Drill-down: unhealthy images → the first image → its findings, fixed how.
    navigate(driver, driver.find_element(By.ID, "images-unhealthy"))
    rows = driver.find_elements(By.CSS_SELECTOR, "table#images tbody tr")
    check(len(rows) == status_view["images"]["unhealthy"], f"unhealthy images listed: {len(rows)}")
    navigate(driver, rows[0].find_element(By.CSS_SELECTOR, "td a"))
    digest = driver.find_element(By.ID, "digest").text.strip()
    repository = driver.find_element(By.TAG_NAME, "h1").text.split(":")[0]
    shown = api("/admin/findings/image?" + urllib.parse.urlencode({"reference": f"{repository}@{digest}", "state": "open"}))
    check(number(driver, "open-count") == len(shown["findings"]), f"open findings on the image page vs API: {number(driver, 'open-count')} / {len(shown['findings'])}")
    findings = driver.find_elements(By.CSS_SELECTOR, "table#findings tbody tr.finding")
    check(len(findings) == min(len(shown["findings"]), 100), f"finding rows: {len(findings)}")
    check(len(driver.find_elements(By.CSS_SELECTOR, "table#remediations tbody tr")) == len(shown["remediations"]), "remediation rows vs API")
    first = findings[0]
    check("layer" in first.text, "a finding names the layer that brought its package")
    first.find_element(By.TAG_NAME, "summary").click()
    check("is reported because" in first.text, "the match explanation opens")
    # Sorting by a column header (the script's buttons) and the server-side severity filter.
    header = driver.find_element(By.CSS_SELECTOR, "table#findings thead th:nth-child(3) button")
    header.click()
    check(driver.find_element(By.CSS_SELECTOR, "table#findings thead th:nth-child(3)").get_attribute("aria-sort") == "ascending", "header sort")
    Select(driver.find_element(By.NAME, "severity")).select_by_value("HIGH")
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "main form.filters button"))
    severities = {row.find_element(By.CSS_SELECTOR, "td .sev").text for row in driver.find_elements(By.CSS_SELECTOR, "table#findings tbody tr.finding")}
    check(severities <= {"HIGH"}, f"the severity filter: {severities}")
    shot(driver, "image")

    # The vulnerability view: one ID → every affected image.
    vulnerability = cfg["exempt"]
    driver.get(base + "/ui/vulnerability?id=" + vulnerability)
    affected = api("/admin/findings/affected/" + vulnerability)["images"]
    count_text = driver.find_element(By.ID, "affected-count").text
    check(count_text.startswith(str(len(affected))), f"affected images: page '{count_text}' vs API {len(affected)}")
    check(len(driver.find_elements(By.CSS_SELECTOR, "table#affected tbody tr")) >= len(affected), "affected rows")
    shot(driver, "vulnerability")

    # Resource logs: the defender's own operations, picked out.
    driver.get(base + "/ui/logs?" + urllib.parse.urlencode({"table": "RegistryRepositoryEvents", "identity": "defender"}))
    log_rows = driver.find_elements(By.CSS_SELECTOR, "table#logs tbody tr")
    check(len(log_rows) > 0 and all("by-defender" in row.get_attribute("class") for row in log_rows), f"defender log rows: {len(log_rows)}")
    shot(driver, "logs")
    Select(driver.find_element(By.NAME, "table")).select_by_value("RegistryLoginEvents")
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "main form.filters button"))
    check("Login" in driver.find_element(By.ID, "logs").text, "login events of the defender")

    # Settings: an exemption made in the form shows on the image; the plan goes off and on.
    driver.get(base + "/ui/settings")
    form = driver.find_element(By.ID, "exemption-form")
    form.find_element(By.NAME, "vulnerability").send_keys(vulnerability)
    form.find_element(By.NAME, "justification").send_keys("accepted in the browser test")
    expiry = (datetime.date.today() + datetime.timedelta(days=30))
    driver.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, "expires"), expiry.isoformat())
    navigate(driver, form.find_element(By.CSS_SELECTOR, "button"))
    exemptions = api("/admin/exemptions")["exemptions"]
    check(any(e["vulnerability"] == vulnerability and e["createdBy"] == "admin" for e in exemptions), f"exemption from the form: {exemptions}")
    exempted = api("/admin/findings/image?" + urllib.parse.urlencode({"reference": f"{repository}@{digest}", "state": "exempted"}))["findings"]
    check(any(f["vulnerabilityID"] == vulnerability for f in exempted), "the exempted finding in the API")
    driver.get(base + "/ui/image?" + urllib.parse.urlencode({"repository": repository, "digest": digest, "state": "exempted"}))
    check(vulnerability in driver.find_element(By.ID, "findings").text and "accepted in the browser test" in driver.page_source,
          "the image page shows the exemption")

    # A webhook added from the settings page (the secret goes in, never comes back).
    driver.get(base + "/ui/settings")
    hook = driver.find_element(By.ID, "webhook-form")
    hook.find_element(By.NAME, "url").send_keys("http://127.0.0.1:9/hook")
    hook.find_element(By.NAME, "secret").send_keys("a-secret-of-sixteen-chars")
    navigate(driver, hook.find_element(By.CSS_SELECTOR, "button"))
    webhooks = api("/admin/webhooks")["webhooks"]
    check(any(w["url"] == "http://127.0.0.1:9/hook" and w["createdBy"] == "admin" for w in webhooks), f"webhook from the form: {webhooks}")
    check("a-secret-of-sixteen-chars" not in driver.page_source, "the webhook secret is rendered")

    driver.get(base + "/ui/settings")
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "#plan-table form button"))
    check(api("/admin/defender")["subscriptions"][0]["plan"] == "disabled", "the plan was not disabled from the settings page")
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "#plan-table form button"))
    check(api("/admin/defender")["subscriptions"][0]["plan"] == "enabled", "the plan was not enabled again")

    # Trusted services back on from the settings page: the blocked scan completes, no re-push.
    Select(driver.find_element(By.ID, "trustedServices")).select_by_value("on")
    navigate(driver, driver.find_element(By.ID, "save-network"))
    check(api("/admin/network")["trustedServices"] is True, "trusted services were not turned on")
    check(wait_until(lambda: api("/admin/findings/image?" + urllib.parse.urlencode({"reference": cfg["blocked"] + ":1"}))["scanStatus"] == "completed", 90),
          "the blocked scan did not complete after the settings change")

    # A cross-site form post is refused, and one without the token; nothing changes.
    session = driver.get_cookie("drydock_session")["value"]
    csrf = driver.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")
    form_body = urllib.parse.urlencode({"subscription": "default", "enabled": "false", "csrf": csrf}).encode()
    for headers, label in [({"Origin": "http://evil.example"}, "cross-site with the token"),
                           ({"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site cross-site"),
                           ({}, "without the token")]:
        body = form_body if label != "without the token" else urllib.parse.urlencode({"subscription": "default", "enabled": "false"}).encode()
        status, _, _ = http("POST", "/ui/settings/plan", body, {"Cookie": f"drydock_session={session}", "Content-Type": "application/x-www-form-urlencoded", **headers})
        check(status == 403, f"a form post {label} was answered {status}")
    check(api("/admin/defender")["subscriptions"][0]["plan"] == "enabled", "a refused post changed the plan")

    # Sign out: the session is gone.
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "header form button"))
    driver.get(base + "/ui/")
    check("/ui/login" in driver.current_url, "still signed in after signing out")
    status, _, _ = http("GET", "/ui/", None, {"Cookie": f"drydock_session={session}"})
    check(status == 303, f"the old session cookie still works: {status}")

    # A scoped user sees only its repositories, and no settings.
    reader = cfg["reader"]
    sign_in(driver, reader["name"], reader["password"])
    driver.get(base + "/ui/images")
    repositories = {row.find_element(By.CSS_SELECTOR, "td a").text for row in driver.find_elements(By.CSS_SELECTOR, "table#images tbody tr")}
    check(repositories and all(r.startswith(reader["allowed"]) for r in repositories), f"the reader sees {repositories}")
    check(not driver.find_elements(By.LINK_TEXT, "Settings"), "the reader sees the settings link")
    driver.get(base + "/ui/settings")
    check("Only the admin" in driver.page_source, "the reader reached the settings")
    driver.get(base + "/ui/image?" + urllib.parse.urlencode({"repository": reader["hidden"], "tag": "1"}))
    check("Not found" in driver.page_source, "the reader saw an image outside its scopes")
    driver.get(base + "/ui/")
    check(number(driver, "images-total") == len(repositories), "the reader's overview counts only its images")
finally:
    driver.quit()

if failures:
    print(f"{len(failures)} check(s) failed", flush=True)
    sys.exit(1)
print("dashboard: every check passed")
