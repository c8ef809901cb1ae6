"""Valid form submissions that the security tests start from and then spoil one field of."""

from datetime import timedelta

from django.utils import timezone

from eventmate.events.selectors import city_timezone

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def event_form_data(city, **overrides) -> dict:
    starts = timezone.localtime(timezone.now() + timedelta(days=30), city_timezone(city))
    data = {
        "title": "Harbour Jazz",
        "description": "Live jazz by the water.",
        "category": "music",
        "city": str(city.pk),
        "venue": "Pier 4",
        "starts_at": starts.strftime(LOCAL_FORMAT),
        "ends_at": (starts + timedelta(hours=3)).strftime(LOCAL_FORMAT),
        "price": "20.00",
        "currency": "USD",
        "capacity": "50",
        "free_cancellation_hours": "48",
        "minimum_age": "0",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def event_edit_data(event, **overrides) -> dict:
    zone = city_timezone(event.city)
    data = event_form_data(
        event.city,
        title=event.title,
        starts_at=event.starts_at.astimezone(zone).strftime(LOCAL_FORMAT),
        ends_at=event.ends_at.astimezone(zone).strftime(LOCAL_FORMAT),
        price=str(event.price),
        currency=event.currency,
        capacity=str(event.capacity),
    )
    data.update(overrides)
    return data


def profile_data(user, **overrides) -> dict:
    data = {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": user.email,
        "phone": "+1 415 555 0100",
        "bio": "I like jazz.",
    }
    data.update(overrides)
    return data
