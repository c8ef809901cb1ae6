"""Favourites: toggled by POST (CSRF-protected), JSON for scripts, redirects for forms."""

import pytest
from django.test import Client
from django.urls import reverse

from eventmate.reviews.models import Favorite
from tests.factories import (
    CityFactory,
    EventFactory,
    EventImageFactory,
    FavoriteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
BROWSER_ACCEPT = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def toggle_url(event):
    return reverse("reviews:favorite-toggle", args=[event.slug])


@pytest.fixture
def user_client(client):
    client.user = UserFactory()
    client.force_login(client.user)
    return client


def test_toggle_answers_json_when_asked(user_client):
    event = EventFactory()
    FavoriteFactory(event=event)  # someone else's
    response = user_client.post(toggle_url(event), **JSON)
    assert response.status_code == 200
    assert response.json() == {"favorited": True, "count": 2}
    response = user_client.post(toggle_url(event), **JSON)
    assert response.json() == {"favorited": False, "count": 1}
    assert not Favorite.objects.filter(user=user_client.user, event=event).exists()


def test_toggle_answers_json_to_xhr(user_client):
    event = EventFactory()
    response = user_client.post(toggle_url(event), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.json() == {"favorited": True, "count": 1}


def test_explicit_add_is_idempotent(user_client):
    event = EventFactory()
    for _ in range(2):
        response = user_client.post(toggle_url(event), {"action": "add"}, **JSON)
        assert response.json() == {"favorited": True, "count": 1}
    response = user_client.post(toggle_url(event), {"action": "remove"}, **JSON)
    assert response.json() == {"favorited": False, "count": 0}


def test_form_post_redirects_back_to_the_event(user_client):
    event = EventFactory()
    response = user_client.post(toggle_url(event), **BROWSER_ACCEPT)
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert Favorite.objects.filter(user=user_client.user, event=event).exists()


def test_form_post_redirects_to_a_safe_next(user_client):
    event = EventFactory()
    response = user_client.post(toggle_url(event), {"next": "/events/?q=jazz"}, **BROWSER_ACCEPT)
    assert response["Location"] == "/events/?q=jazz"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "///evil"]
)
def test_form_post_ignores_an_unsafe_next(user_client, target):
    event = EventFactory()
    response = user_client.post(toggle_url(event), {"next": target}, **BROWSER_ACCEPT)
    assert response["Location"] == event.get_absolute_url()


def test_anonymous_json_request_gets_401():
    event = EventFactory()
    response = Client().post(toggle_url(event), **JSON)
    assert response.status_code == 401
    assert response.json()["login_url"] == reverse("accounts:login")
    assert Favorite.objects.count() == 0


def test_anonymous_form_post_redirects_to_login_then_back_to_the_event():
    event = EventFactory()
    response = Client().post(toggle_url(event), **BROWSER_ACCEPT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert f"next={event.get_absolute_url()}" in response["Location"]


def test_csrf_is_enforced():
    user = UserFactory()
    event = EventFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(toggle_url(event), **JSON)
    assert response.status_code == 403
    assert not Favorite.objects.exists()


def test_csrf_token_from_a_page_lets_the_toggle_through():
    user = UserFactory()
    event = EventFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("reviews:favorite-list"))  # renders a form, so sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(toggle_url(event), HTTP_X_CSRFTOKEN=token, **JSON)
    assert response.status_code == 200
    assert response.json()["favorited"] is True


def test_get_is_not_allowed(user_client):
    assert user_client.get(toggle_url(EventFactory())).status_code == 405


def test_unknown_event_is_404(user_client):
    url = reverse("reviews:favorite-toggle", args=["no-such-event"])
    assert user_client.post(url, **JSON).status_code == 404


def test_unpublished_event_cannot_be_favourited(user_client):
    event = EventFactory(is_published=False)
    assert user_client.post(toggle_url(event), **JSON).status_code == 404
    assert not Favorite.objects.exists()


def test_an_old_favourite_of_an_unpublished_event_can_be_removed(user_client):
    event = EventFactory(is_published=False)
    FavoriteFactory(user=user_client.user, event=event)
    response = user_client.post(toggle_url(event), **JSON)
    assert response.json() == {"favorited": False, "count": 0}


# --- favourites page -----------------------------------------------------------------------


def test_favourites_page_needs_login():
    response = Client().get(reverse("reviews:favorite-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_favourites_page_lists_only_the_users_favourites(user_client):
    FavoriteFactory(user=user_client.user, event=EventFactory(title="Mine to keep"))
    FavoriteFactory(event=EventFactory(title="Someone else's pick"))
    content = user_client.get(reverse("reviews:favorite-list")).content.decode()
    assert "Mine to keep" in content
    assert "Someone else" not in content
    assert 'name="action" value="remove"' in content


def test_favourites_page_empty_state(user_client):
    content = user_client.get(reverse("reviews:favorite-list")).content.decode()
    assert "No favourites yet" in content


@pytest.mark.parametrize("count", [1, 50])
def test_favourites_page_query_count_does_not_grow(
    user_client, django_assert_max_num_queries, count
):
    city = CityFactory()
    for _ in range(count):
        event = EventFactory(city=city)
        EventImageFactory(event=event, is_primary=True)
        EventImageFactory(event=event)
        FavoriteFactory(user=user_client.user, event=event)
    # session, user, count, page (favourites + events + cities), card images
    with django_assert_max_num_queries(5):
        response = user_client.get(reverse("reviews:favorite-list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 24)


def test_toggling_a_favourite_costs_a_handful_of_queries(
    user_client, django_assert_max_num_queries
):
    event = EventFactory()
    url = reverse("reviews:favorite-toggle", args=[event.slug])
    # user, event, "already?", insert (ON CONFLICT DO NOTHING), count, and the transaction's
    # savepoint and release (inside the test's own transaction)
    with django_assert_max_num_queries(7):
        response = user_client.post(url, {"action": "add"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"favorited": True, "count": 1}
    with django_assert_max_num_queries(7):
        again = user_client.post(url, {"action": "add"}, HTTP_ACCEPT="application/json")
    assert again.json() == {"favorited": True, "count": 1}
    assert Favorite.objects.filter(event=event).count() == 1
