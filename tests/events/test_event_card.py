"""The listing card built in Python: same content as the template had, everything escaped."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from eventmate.events.templatetags.event_display import event_card
from tests.factories import CityFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_card_shows_local_time_link_price_and_escapes_markup():
    city = CityFactory(name="Chicago <b>", timezone="America/Chicago")
    starts = datetime(2030, 3, 1, 19, 30, tzinfo=ZoneInfo("America/Chicago"))
    event = EventFactory(
        title='<script>alert("x")</script>',
        venue="Hall & Co",
        city=city,
        starts_at=starts,
        ends_at=starts.replace(hour=22),
        capacity=5,
    )
    event.card_image = None
    html = event_card({}, event)
    assert f'href="/event/{event.slug}/"' in html
    assert "Fri, Mar 1 · 7:30 PM" in html
    assert 'datetime="2030-03-01T19:30:00-06:00"' in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "Hall &amp; Co · Chicago &lt;b&gt;" in html
    assert "Only 5 left" in html
    assert "$25" in html


def test_card_says_sold_out_and_free():
    event = EventFactory(price=0, capacity=2)
    event.tickets_sold = 2
    event.card_image = None
    html = event_card({}, event)
    assert "Sold out" in html
    assert 'event-card-price is-free">Free<' in html
