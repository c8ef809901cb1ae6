import gzip

import brotli
import pytest

from eventmate.core.compression import negotiate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_urls")]


def test_html_is_brotli_compressed_for_brotli_clients(client):
    response = client.get("/t/not-marked/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "br"
    assert b"Lorem ipsum" in brotli.decompress(response.content)
    assert int(response["Content-Length"]) == len(response.content)
    assert "Accept-Encoding" in response["Vary"]


def test_json_is_gzip_compressed_for_gzip_clients(client):
    response = client.get("/t/json/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Lorem ipsum" in gzip.decompress(response.content)


def test_nothing_is_compressed_without_accept_encoding(client):
    response = client.get("/t/not-marked/")
    assert "Content-Encoding" not in response
    assert "Accept-Encoding" in response["Vary"]


def test_already_compressed_responses_are_left_alone(client):
    response = client.get("/t/precompressed/", HTTP_ACCEPT_ENCODING="br")
    assert response["Content-Encoding"] == "gzip"
    assert response.content == b"\x1f\x8b" + b"x" * 500


def test_tiny_responses_are_left_alone(client):
    assert "Content-Encoding" not in client.get("/t/tiny/", HTTP_ACCEPT_ENCODING="br")


def test_pages_that_produced_a_csrf_token_are_not_compressed(client):
    """BREACH: a secret in a compressed page leaks through the compressed size."""
    response = client.get("/t/csrf/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in response
    assert b"csrf value=" in response.content


def test_login_form_with_its_token_is_not_compressed(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in response
    assert b"csrfmiddlewaretoken" in response.content


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("", None),
        ("*", "gzip"),
        ("gzip;q=0", None),
    ],
)
def test_negotiation(header, expected):
    assert negotiate(header) == expected
