"""A host, in Chromium: logs in, creates an event with two photos, finds it in search, changes
its price, and deletes it."""

import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from PIL import Image

from eventmate.events.models import Event, EventImage
from tests.factories import PASSWORD, CityFactory, HostFactory

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser_page(settings, live_server):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are
    # still plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # live_server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def two_pngs(tmp_path):
    paths = []
    for name, color in [("stage.png", "#5b3df5"), ("crowd.png", "#f5a33d")]:
        path = tmp_path / name
        Image.new("RGB", (800, 600), color).save(path, format="PNG")
        paths.append(str(path))
    return paths


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"hosting-{name}.png"), full_page=True)


def test_host_creates_finds_edits_and_deletes_an_event(live_server, browser_page, two_pngs):
    page = browser_page
    host = HostFactory(username="harbourhost")
    city = CityFactory(name="Lisbon", slug="lisbon", country="Portugal", timezone="Europe/Lisbon")
    starts = (timezone.now() + timedelta(days=30)).astimezone(timezone.get_fixed_timezone(0))
    starts_local = datetime(starts.year, starts.month, starts.day, 20, 0)

    # Log in through the real form; it brings the host back to the create page.
    page.goto(f"{live_server.url}/accounts/login/?next=/create/")
    page.fill("input[name=username]", host.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url("**/create/")

    page.fill("input[name=title]", "Harbour Jazz Night")
    page.select_option("select[name=category]", "music")
    page.fill("textarea[name=description]", "Saxophones at sunset on the river.")
    page.select_option("select[name=city]", str(city.pk))
    page.fill("input[name=starts_at]", starts_local.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (starts_local + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=venue]", "Cais do Sodré")
    page.fill("input[name=price]", "20.00")
    page.select_option("select[name=currency]", "EUR")
    page.fill("input[name=capacity]", "120")
    page.set_input_files("input[name=uploads]", two_pngs)
    screenshot(page, "create-form")
    page.get_by_role("button", name="Create event").click()

    page.wait_for_url("**/event/harbour-jazz-night/")
    event = Event.objects.get(slug="harbour-jazz-night")
    assert event.host == host
    assert EventImage.objects.filter(event=event).count() == 2
    assert EventImage.objects.filter(event=event, is_primary=True).count() == 1
    # 20:00 typed for Lisbon is stored as that wall-clock time in Lisbon.
    local_start = timezone.localtime(event.starts_at, timezone=city_zone(city))
    assert (local_start.hour, local_start.minute) == (20, 0)
    assert page.get_by_role("heading", name="Harbour Jazz Night").is_visible()
    screenshot(page, "event-page")

    page.goto(f"{live_server.url}/events/?q=harbour")
    result = page.locator("a[href='/event/harbour-jazz-night/']").first
    result.wait_for()
    assert result.is_visible()
    screenshot(page, "search")

    page.goto(f"{live_server.url}/event/harbour-jazz-night/edit/")
    assert page.locator("img[src*='/media/events/']").count() == 2
    page.fill("input[name=price]", "35.50")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**/event/harbour-jazz-night/edit/")
    assert page.get_by_text("Your changes are saved.").is_visible()
    screenshot(page, "edit-form")
    event.refresh_from_db()
    assert str(event.price) == "35.50"
    page.goto(f"{live_server.url}/event/harbour-jazz-night/")
    assert page.get_by_text("€35.50").first.is_visible()

    page.goto(f"{live_server.url}/my-events/")
    assert page.get_by_role("link", name="Harbour Jazz Night").is_visible()
    screenshot(page, "my-events")
    page.get_by_role("link", name="Edit").first.click()
    page.wait_for_url("**/event/harbour-jazz-night/edit/")
    page.get_by_role("link", name="Delete…").click()
    page.wait_for_url("**/event/harbour-jazz-night/delete/")
    page.get_by_role("button", name="Delete event").click()
    page.wait_for_url("**/my-events/")
    assert page.get_by_text("“Harbour Jazz Night” is deleted.").is_visible()
    screenshot(page, "my-events-after-delete")
    assert not Event.objects.filter(slug="harbour-jazz-night").exists()


def city_zone(city):
    return ZoneInfo(city.timezone)
