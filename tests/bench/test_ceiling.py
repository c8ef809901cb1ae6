import importlib

import pytest
from django.urls import clear_url_caches


@pytest.fixture
def reload_urls(settings):
    """Rebuild the URLconf after changing settings.BENCH_CEILING; rebuilt again afterwards
    with the original value, so no other test sees the extra route."""
    import config.urls

    original = settings.BENCH_CEILING

    def reload():
        clear_url_caches()
        importlib.reload(config.urls)

    yield reload
    settings.BENCH_CEILING = original
    reload()


@pytest.mark.django_db
def test_the_ceiling_view_is_not_routed_by_default(client):
    assert client.get("/bench/ceiling/").status_code == 404


@pytest.mark.django_db
def test_the_ceiling_view_answers_through_the_middleware_when_enabled(
    client, settings, reload_urls
):
    settings.BENCH_CEILING = True
    reload_urls()
    response = client.get("/bench/ceiling/")
    assert response.status_code == 200
    assert response.content == b"ceiling\n"
    # The whole middleware stack ran (security headers are added by middleware).
    assert response["X-Content-Type-Options"] == "nosniff"
