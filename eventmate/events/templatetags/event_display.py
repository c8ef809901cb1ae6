"""Presentation of events in templates: local times, prices, ratings, map links, metadata.

No tag here runs a query; each works on what the selectors already loaded.
"""

import functools
import json
from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.templatetags.tz import do_timezone
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from ..selectors import FEW_TICKETS_LEFT, city_timezone

register = template.Library()

CURRENCY_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "AUD": "A$",
    "CAD": "C$",
    "NZD": "NZ$",
    "BRL": "R$",
    "MXN": "MX$",
}
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW"}
# The same escapes as Django's json_script: nothing in the data can close the <script> block.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def local_to(value, city):
    """The datetime in the city's time zone (the site's zone if the city's is unknown).

    Marked like Django's own `timezone` filter, so `date` formats it as it is instead of
    converting it back to the site's zone.
    """
    if not value:
        return value
    return do_timezone(value, city_timezone(city))


def format_money(amount: Decimal, currency: str) -> str:
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES or amount == amount.to_integral() else 2
    number = f"{amount:,.{places}f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


@register.filter
def price_label(event) -> str:
    """ "Free", or the price with its currency ("$25", "€12.50", "30 CHF")."""
    if event.price == 0:
        return "Free"
    return format_money(event.price, event.currency)


@register.filter
def stars(rating) -> str:
    """Five characters of filled and empty stars for a 0–5 rating, rounded to the nearest."""
    filled = max(0, min(5, int(Decimal(rating or 0) + Decimal("0.5"))))
    return "★" * filled + "☆" * (5 - filled)


@register.filter
def map_url(event) -> str:
    """A plain OpenStreetMap link for the event's coordinates (no embedded map, no script)."""
    if event.latitude is None or event.longitude is None:
        return ""
    lat, lon = f"{event.latitude:.5f}", f"{event.longitude:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"


@register.filter
def cancellation_rule(event) -> str:
    """The free-cancellation cutoff the booking services enforce, as a sentence."""
    hours = event.free_cancellation_hours
    if not hours:
        return "Bookings can't be cancelled free of charge."
    return f"Free cancellation until {hours} hour{'s' if hours != 1 else ''} before the start."


@register.filter
def without_prefix(text: str, prefix: str) -> str:
    """The text without a leading repeat of `prefix` (hosts often restate the cutoff)."""
    text = text or ""
    if prefix and text.strip().lower().startswith(prefix.lower()):
        return text.strip()[len(prefix) :].strip()
    return text


@register.filter
def paragraphs_to_items(text: str) -> list[str]:
    """Non-empty lines of a free-text field, without list bullets the host may have typed."""
    return [
        line.strip().lstrip("-•*").strip()
        for line in (text or "").splitlines()
        if line.strip().lstrip("-•*").strip()
    ]


@register.simple_tag(takes_context=True)
def event_json_ld(context, event) -> str:
    """schema.org Event data as a JSON-LD block, escaped so it cannot break out of <script>."""
    request = context["request"]
    tz = city_timezone(event.city)
    status = "EventCancelled" if event.is_cancelled else "EventScheduled"
    if event.tickets_left == 0:
        availability = "SoldOut"
    elif event.tickets_left <= FEW_TICKETS_LEFT:
        availability = "LimitedAvailability"
    else:
        availability = "InStock"
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": Truncator(event.description).chars(500),
        "startDate": event.starts_at.astimezone(tz).isoformat(),
        "endDate": event.ends_at.astimezone(tz).isoformat(),
        "eventStatus": f"https://schema.org/{status}",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "location": {
            "@type": "Place",
            "name": event.venue,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": event.address,
                "addressLocality": event.city.name,
                "addressRegion": event.city.region,
                "addressCountry": event.city.country,
            },
        },
        "organizer": {"@type": "Person", "name": event.host.display_name},
        "offers": {
            "@type": "Offer",
            "price": f"{event.price:.2f}",
            "priceCurrency": event.currency,
            "availability": f"https://schema.org/{availability}",
            "url": request.build_absolute_uri(event.get_absolute_url()),
        },
    }
    if event.latitude is not None and event.longitude is not None:
        data["location"]["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(event.latitude),
            "longitude": float(event.longitude),
        }
    images = [request.build_absolute_uri(image.image.url) for image in event.gallery]
    if images:
        data["image"] = images
    if event.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": f"{event.rating_average:.2f}",
            "reviewCount": event.rating_count,
        }
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def absolute_uri(context, location: str) -> str:
    """An absolute URL for sharing metadata; URLs that are already absolute stay as they are."""
    return context["request"].build_absolute_uri(location)


@functools.cache
def _event_url_pattern() -> str:
    return reverse("events:event-detail", kwargs={"slug": "-slug-"}).replace("-slug-", "{}")


def _event_url(slug: str) -> str:
    # reverse() per card was a tenth of a card's cost; the URL's shape never changes.
    return _event_url_pattern().format(slug)


def _card_date(moment) -> str:
    """Like the date filter's "D, M j · g:i A" ("Fri, Nov 27 · 7:30 PM"), several times
    faster; English names, as the site's only language."""
    hour = moment.hour % 12 or 12
    return f"{moment:%a, %b} {moment.day} · {hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


@register.simple_tag(takes_context=True)
def event_card(context, event) -> str:
    """One event in a listing: the card markup every listing, favourites included, shares.

    Listings render up to 24 cards; through the template engine each cost about a
    millisecond, most of a cold search page's render time. Needs event.city and
    event.card_image from the selectors; runs no query. Every value is escaped by format_html.
    """
    few = context.get("few_tickets_left") or FEW_TICKETS_LEFT
    image = getattr(event, "card_image", None)
    if image:
        media = format_html(
            '<img src="{}" alt="{}" loading="lazy" decoding="async" width="480" height="270">',
            image.image.url,
            image.alt_text or event.title,
        )
    else:
        media = format_html(
            '<span class="media-placeholder" aria-hidden="true">{}</span>',
            event.get_category_display(),
        )
    left = event.tickets_left
    if left == 0:
        flag = mark_safe('<span class="card-flag card-flag-danger">Sold out</span>')
    elif left <= few:
        flag = format_html('<span class="card-flag card-flag-warn">Only {} left</span>', left)
    elif event.is_featured:
        flag = mark_safe('<span class="card-flag">Featured</span>')
    else:
        flag = ""
    starts = local_to(event.starts_at, event.city)
    rating = ""
    if event.rating_count:
        average = floatformat(event.rating_average, 1)
        count = event.rating_count
        rating = format_html(
            '<span class="event-card-rating" aria-label="Rated {} out of 5 by {} reviewer{}">'
            '★ {} <span class="muted">({})</span></span>',
            average,
            count,
            "" if count == 1 else "s",
            average,
            count,
        )
    return format_html(
        '<article class="event-card">\n'
        '  <a class="event-card-link" href="{}">\n'
        '    <div class="event-card-media cat-{}">{}{}</div>\n'
        '    <div class="event-card-body">\n'
        '      <p class="event-card-date"><time datetime="{}">{}</time></p>\n'
        '      <h3 class="event-card-title">{}</h3>\n'
        '      <p class="event-card-place">{} · {}</p>\n'
        '      <p class="event-card-meta"><span class="event-card-price{}">{}</span>{}</p>\n'
        "    </div>\n"
        "  </a>\n"
        "</article>\n",
        _event_url(event.slug),
        event.category,
        media,
        flag,
        starts.isoformat(),
        _card_date(starts),
        event.title,
        event.venue,
        event.city.name,
        " is-free" if event.price == 0 else "",
        price_label(event),
        rating,
    )
