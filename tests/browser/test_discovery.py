"""A visitor, in Chromium: searches, narrows the results, opens an event, logs in and saves it.
Also: "load more" appends the next page, and screenshots of the discovery pages at desktop and
phone widths (tests/browser/screenshots/discovery-*.png)."""

import io
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from eventmate.events import selectors
from eventmate.reviews.models import Favorite
from tests.factories import (
    PASSWORD,
    CityFactory,
    EventFactory,
    EventImageFactory,
    HostFactory,
    UserFactory,
)

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser(settings, live_server):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are
    # still plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.SESSION_COOKIE_SECURE = False  # live_server speaks plain HTTP
    settings.CSRF_COOKIE_SECURE = False
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
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
        try:
            yield chromium
        finally:
            chromium.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def open_page(browser, viewport=DESKTOP):
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return page, errors


def photo(seed: int) -> ContentFile:
    """A colourful stand-in for an event photo, drawn locally."""
    palette = ["#5b3df5", "#e0387e", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#111827"]
    image = Image.new("RGB", (960, 540), palette[seed % len(palette)])
    draw = ImageDraw.Draw(image)
    for n in range(9):
        x, y = (seed * 97 + n * 211) % 960, (seed * 53 + n * 137) % 540
        radius = 60 + (seed * 31 + n * 47) % 180
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=palette[(seed + n) % 7])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"photo{seed}.jpg")


@pytest.fixture
def jazz_events():
    now = timezone.now()
    host = HostFactory(first_name="Maya", last_name="Lopez")
    chicago = CityFactory(
        name="Chicago", slug="chicago", timezone="America/Chicago", is_featured=True
    )
    new_york = CityFactory(
        name="New York", slug="new-york", timezone="America/New_York", is_featured=True
    )
    soon = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    events = {
        "chicago-soon": EventFactory(
            host=host,
            city=chicago,
            title="Lakeside Jazz Festival",
            starts_at=soon,
            venue="Millennium Park",
            latitude="41.882600",
            longitude="-87.622600",
            whats_included="Entry to all stages\nA festival wristband",
            things_to_know="Bring a blanket",
            is_featured=True,
            tickets_sold=40,
        ),
        "chicago-later": EventFactory(
            host=host,
            city=chicago,
            title="Jazz Brunch Club",
            category="food-drink",
            starts_at=soon + timedelta(days=40),
        ),
        "new-york-soon": EventFactory(
            host=host,
            city=new_york,
            title="Village Jazz Night",
            starts_at=soon,
        ),
        "other": EventFactory(
            host=host,
            city=chicago,
            title="Stand-up Comedy Night",
            category="comedy",
            starts_at=soon + timedelta(days=1),
        ),
    }
    for seed, event in enumerate(events.values()):
        for order in range(2 if seed == 0 else 1):
            EventImageFactory(
                event=event,
                image=photo(seed * 3 + order),
                order=order,
                is_primary=order == 0,
                alt_text=f"{event.title} photo {order + 1}",
            )
    return events


def test_visitor_searches_narrows_opens_and_saves_an_event(live_server, browser, jazz_events):
    visitor = UserFactory(username="jazzfan")
    festival = jazz_events["chicago-soon"]
    page, errors = open_page(browser)

    page.goto(live_server.url + "/")
    page.fill("#hero-search-q", "jazz")
    # The search bar suggests matching events while typing.
    page.get_by_role("option", name="Lakeside Jazz Festival").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/events/?q=jazz")
    assert page.get_by_role("heading", name="3 events").is_visible()

    # Narrow by city…
    page.fill("#search-form-location", "Chicago")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**location=Chicago**")
    assert page.get_by_role("heading", name="2 events").is_visible()
    assert page.get_by_role("link", name="Remove filter: Near Chicago").is_visible()

    # …and by date: the festival's day only.
    day = timezone.localtime(festival.starts_at, selectors.city_timezone(festival.city)).date()
    page.fill("#filter-from", day.isoformat())
    page.fill("#filter-to", day.isoformat())
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(f"**to={day.isoformat()}**")
    assert page.get_by_role("heading", name="1 event").is_visible()
    assert page.get_by_role("link", name="Remove filter: From").is_visible()

    page.get_by_role("link", name="Lakeside Jazz Festival").click()
    page.wait_for_url(f"**{festival.get_absolute_url()}")
    assert page.get_by_role("heading", name="Lakeside Jazz Festival").is_visible()
    assert page.get_by_text("Millennium Park").first.is_visible()

    # Saving needs an account: log in and come back to the same page.
    page.get_by_role("link", name="Log in to save").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", visitor.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{festival.get_absolute_url()}")

    save = page.locator("[data-favorite-button]")
    assert save.get_attribute("aria-pressed") == "false"
    save.click()
    page.wait_for_selector("[data-favorite-button][aria-pressed='true']")
    assert save.inner_text().strip() == "Saved"
    assert page.url.endswith(festival.get_absolute_url())  # JavaScript, no page load
    assert Favorite.objects.filter(user=visitor, event=festival).exists()
    assert errors == []


def test_autocomplete_works_from_the_keyboard(live_server, browser, jazz_events):
    festival = jazz_events["chicago-soon"]
    page, errors = open_page(browser)
    page.goto(live_server.url + "/")
    search_box = page.locator("#hero-search-q")
    search_box.type("lakes", delay=30)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert search_box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    active = search_box.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{festival.get_absolute_url()}")
    assert errors == []


def test_load_more_appends_the_next_page(live_server, browser, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    now = timezone.now()
    for n in range(10):
        EventFactory(title=f"Concert {n:02}", starts_at=now + timedelta(days=n + 1))
    page, errors = open_page(browser)
    page.goto(live_server.url + "/events/")
    cards = page.locator("[data-results-grid] .event-card")
    assert cards.count() == 4
    from playwright.sync_api import expect  # the page's CSP forbids wait_for_function's eval

    page.get_by_role("link", name="Load more events").click()
    expect(cards).to_have_count(8)
    page.get_by_role("link", name="Load more events").click()
    expect(cards).to_have_count(10)
    assert page.get_by_role("link", name="Load more events").count() == 0
    assert page.url == live_server.url + "/events/"
    titles = cards.locator("h3").all_inner_texts()
    assert titles == [f"Concert {n:02}" for n in range(10)]
    assert errors == []


def test_screenshots_of_the_discovery_pages(live_server, browser, jazz_events):
    SCREENSHOTS.mkdir(exist_ok=True)
    festival = jazz_events["chicago-soon"]
    pages = {
        "home": "/",
        "search": "/events/?q=jazz",
        "event": festival.get_absolute_url(),
    }
    for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page, errors = open_page(browser, viewport)
        for name, path in pages.items():
            page.goto(live_server.url + path, wait_until="networkidle")
            target = SCREENSHOTS / f"discovery-{name}-{size_name}.png"
            page.screenshot(path=str(target))
            assert target.stat().st_size > 10_000
            # No sideways scrolling on any width.
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert errors == []
        page.close()
