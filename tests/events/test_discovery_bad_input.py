"""No input typed into a discovery URL produces a server error."""

import pytest

from tests.factories import CityFactory, EventFactory

pytestmark = pytest.mark.django_db

BAD_QUERIES = [
    "from=2026-02-30&to=not-a-date",
    "from=99999-01-01&to=0000-00-00",
    "from=2026-1-1&to=%00",
    "min_price=-10&max_price=-1",
    "min_price=abc&max_price=1e400",
    "min_price=NaN&max_price=Infinity",
    "max_price=" + "9" * 400,
    "category=unknown&city=nowhere&location=Atlantis",
    "city=%2F..%2F..%2Fetc%2Fpasswd",
    "page=0",
    "page=-1",
    "page=1000000000",
    "page=" + "9" * 5000,
    "page=1.5",
    "page=%D9%A1%D9%A2",  # Arabic-Indic digits
    "sort=%27%3B+DROP+TABLE+events_event%3B--",
    "date=%F0%9F%8E%89",
    "q=" + "x" * 10000,
    "q=%00%01%02",
    "q=%F0%9F%8E%B7%F0%9F%8E%BA+%E2%80%AE%E2%80%8B",  # emoji, right-to-left override
    "q=jazz%26%7C%21%28%29%3A%2A",  # tsquery operators
    "q=%22unbalanced&location=%22",
    "q=%5C%5C%25_%25",  # LIKE wildcards and escapes
    "q=a&q=b&page=2&page=x",
    "free=maybe&partial=1",
    "reviews=-1",
    "reviews=999999999999",
]


@pytest.fixture
def catalogue():
    city = CityFactory(slug="chicago")
    return EventFactory(city=city, title="Jazz night")


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("path", ["/events/", "/city/chicago/", "/"])
def test_listing_pages_survive_bad_input(client, catalogue, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_event_page_survives_bad_input(client, catalogue, query):
    response = client.get(f"{catalogue.get_absolute_url()}?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "text",
    ["", "j", "%00%00", "%25%25", "_%25", "x" * 5000, "%F0%9F%8E%B7%F0%9F%8E", "%E2%80%AE"],
)
def test_autocomplete_survives_bad_input(client, catalogue, text):
    response = client.get(f"/search/autocomplete/?q={text}")
    assert response.status_code == 200
    assert set(response.json()) == {"events", "cities"}


@pytest.mark.parametrize("path", ["/city/%F0%9F%8E%89/", "/event/%00/", "/city/" + "a" * 500 + "/"])
def test_odd_paths_are_not_found(client, path):
    assert client.get(path).status_code == 404
