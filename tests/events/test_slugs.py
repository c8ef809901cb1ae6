"""Event slugs: readable ASCII, unique with -2, -3… on collisions, never changed by a rename."""

import re

import pytest

from eventmate.events import services
from eventmate.events.slugs import slug_base, unique_slug
from tests.factories import CityFactory, EventFactory, HostFactory

pytestmark = pytest.mark.django_db


def event_fields(**overrides):
    fields = {
        name: getattr(EventFactory.build(city=CityFactory()), name)
        for name in services.HOST_EDITABLE_FIELDS
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Jazz Night", "jazz-night"),
        ("  Rock   &  Roll!! ", "rock-roll"),
        ("Café Ñandú 東京", "cafe-nandu-dongjing"),
        ("Москва Jazz", "moskva-jazz"),
        ("Straße Œuvre", "strasse-oeuvre"),
        ("Jazz 🎷 Night", "jazz-night"),
    ],
)
def test_slug_base_transliterates_to_ascii(title, expected):
    assert slug_base(title) == expected


@pytest.mark.parametrize("title", ["🎉🎉", "!!!", "   "])
def test_title_without_letters_falls_back_to_event_with_random_suffix(title):
    slug = unique_slug(title)
    assert re.fullmatch(r"event-[a-z0-9]{6}", slug)


def test_slug_base_is_cut_to_leave_room_for_a_number():
    base = slug_base("word " * 100)
    assert len(base) <= 200
    assert not base.endswith("-")


def test_collisions_get_the_next_free_number():
    EventFactory(slug="jazz-night")
    assert unique_slug("Jazz Night") == "jazz-night-2"
    EventFactory(slug="jazz-night-2")
    assert unique_slug("Jazz night") == "jazz-night-3"


def test_collision_reuses_the_smallest_free_number():
    EventFactory(slug="jazz-night")
    EventFactory(slug="jazz-night-3")
    assert unique_slug("Jazz Night") == "jazz-night-2"


def test_a_longer_slug_sharing_the_prefix_is_not_a_collision():
    EventFactory(slug="jazz-night-out")
    assert unique_slug("Jazz Night") == "jazz-night"


def test_created_events_with_the_same_title_get_distinct_slugs():
    host = HostFactory()
    first = services.event_create(actor=host, fields=event_fields(title="Jazz Night"))
    second = services.event_create(actor=host, fields=event_fields(title="Jazz Night"))
    third = services.event_create(actor=host, fields=event_fields(title="JAZZ night!"))
    assert [first.slug, second.slug, third.slug] == ["jazz-night", "jazz-night-2", "jazz-night-3"]


def test_unicode_title_creates_an_ascii_slug():
    event = services.event_create(actor=HostFactory(), fields=event_fields(title="Café Ñandú 東京"))
    assert event.slug == "cafe-nandu-dongjing"
    assert event.slug.isascii()


def test_create_retries_when_the_unique_index_refuses_the_slug(monkeypatch):
    """Two hosts racing for one slug: the loser's insert fails and it takes the next one."""
    EventFactory(slug="jazz-night")
    stale_answers = iter(["jazz-night"])  # what a racing creator saw before the other commit
    real_unique_slug = services.unique_slug
    monkeypatch.setattr(
        services, "unique_slug", lambda title: next(stale_answers, None) or real_unique_slug(title)
    )
    event = services.event_create(actor=HostFactory(), fields=event_fields(title="Jazz Night"))
    assert event.slug == "jazz-night-2"


def test_renaming_an_event_keeps_its_slug():
    host = HostFactory()
    event = services.event_create(actor=host, fields=event_fields(title="Jazz Night"))
    services.event_update(actor=host, event=event, fields={"title": "Blues Morning"})
    event.refresh_from_db()
    assert event.title == "Blues Morning"
    assert event.slug == "jazz-night"
