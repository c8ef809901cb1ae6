"""A buyer's journey in Chromium: book, pay, open the ticket, download it, cancel; a declined
card; a hold that runs out."""

import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from eventmate.bookings.models import Booking
from eventmate.events.models import Event
from tests.factories import EventFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, settings):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are
    # plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # The live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
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
        context = browser.new_context(base_url=live_server.url, accept_downloads=True)
        context.set_default_timeout(15000)
        yield context.new_page()
        context.close()
        browser.close()


def sign_in(page, user, live_server):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def book_from_event_page(page, event, quantity):
    """Book through the event page's form (the discovery pages'); our own booking page is
    the fallback if that form is missing."""
    page.goto(event.get_absolute_url())
    form = page.locator(f"form[action='/event/{event.slug}/book/']")
    if form.count() == 0:
        page.goto(f"/event/{event.slug}/book/")
        form = page.locator(f"form[action='/event/{event.slug}/book/']")
    form.locator("select[name=quantity]").select_option(str(quantity))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/booking/[A-Z0-9]{12}/checkout/$"))


def pay_with(page, number):
    page.fill("input[name=card_number]", number)
    page.fill("input[name=expiry]", "12/40")
    page.fill("input[name=cvc]", "123")
    page.locator("[data-pay-button]").click()


def expect_text(page, selector, pattern):
    from playwright.sync_api import expect

    expect(page.locator(selector).first).to_contain_text(re.compile(pattern))


def test_buyer_books_pays_opens_ticket_downloads_it_and_cancels(page, live_server):
    event = EventFactory(capacity=5, price="20.00", title="Jazz under the stars")
    buyer = UserFactory()
    sign_in(page, buyer, live_server)

    book_from_event_page(page, event, 2)
    expect_text(page, "[data-countdown-clock]", r"^1[45]:\d\d$")
    assert Event.objects.get(pk=event.pk).tickets_held == 2

    pay_with(page, "4242 4242 4242 4242")
    expect_text(page, "h1", "You're going!")
    booking = Booking.objects.get(user=buyer)
    assert booking.status == Booking.Status.CONFIRMED

    page.get_by_role("link", name="View your ticket").click()
    qr = page.locator("figure[data-qr] svg")
    qr.wait_for(state="visible")
    assert qr.bounding_box()["width"] > 100
    page.screenshot(path=SCREENSHOTS / "ticket.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    calendar = Path(download.value.path()).read_text()
    assert "BEGIN:VCALENDAR" in calendar
    assert "Jazz under the stars" in calendar

    # The public link (what the QR code carries) opens the ticket without a log-in.
    public_path = page.get_by_role("link", name="public ticket link").get_attribute("href")
    anonymous = page.context.browser.new_context(base_url=live_server.url)
    public_page = anonymous.new_page()
    public_page.goto(public_path)
    public_page.locator("figure[data-qr] svg").wait_for(state="visible")
    anonymous.close()

    page.goto(f"/booking/{booking.reference}/")
    page.get_by_role("link", name="Cancel booking").click()
    page.get_by_role("button", name="Yes, cancel booking").click()
    expect_text(page, ".messages", "is cancelled")
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.REFUNDED

    page.goto(event.get_absolute_url())
    expect_text(page, "main", r"Only 5 left|Tickets available")
    page.screenshot(path=SCREENSHOTS / "back-on-sale.png", full_page=True)


def test_declined_card_shows_the_reason(page, live_server):
    event = EventFactory(capacity=5, price="20.00")
    buyer = UserFactory()
    sign_in(page, buyer, live_server)

    book_from_event_page(page, event, 1)
    pay_with(page, "4000 0000 0000 0002")

    expect_text(page, ".payment-error", "Your card was declined.")
    page.screenshot(path=SCREENSHOTS / "declined.png", full_page=True)
    assert Booking.objects.get(user=buyer).status == Booking.Status.PENDING


def test_expired_hold_releases_its_tickets(page, live_server, settings):
    settings.BOOKING_HOLD_MINUTES = 0.05  # three seconds
    event = EventFactory(capacity=3, price="20.00")
    first, second = UserFactory(), UserFactory()
    sign_in(page, first, live_server)

    book_from_event_page(page, event, 3)
    page.locator("[data-countdown-expired]").wait_for(state="visible")
    assert page.locator("[data-pay-button]").is_disabled()
    page.screenshot(path=SCREENSHOTS / "hold-expired.png", full_page=True)
    # The countdown shows whole seconds; make sure the server's clock has passed the expiry too.
    hold = Booking.objects.get(user=first)
    while timezone.now() <= hold.hold_expires_at:
        time.sleep(0.1)

    # Another buyer can have all three at once, before any background job has run.
    page.context.clear_cookies()
    sign_in(page, second, live_server)
    page.goto(f"/event/{event.slug}/book/")
    expect_text(page, ".availability", "Only 3 left")
    page.locator("select[name=quantity]").select_option("3")
    page.get_by_role("button", name="Hold tickets and pay").click()
    page.wait_for_url(re.compile(r"/checkout/$"))
    assert Booking.objects.get(user=first).status == Booking.Status.EXPIRED
    assert Booking.objects.get(user=second).status == Booking.Status.PENDING
