import pytest
from django.test import RequestFactory

from eventmate.core.client_ip import address_in, get_client_ip, resolve_client_ip

TRUSTED = ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]


def test_socket_address_is_used_without_a_forwarded_header():
    assert resolve_client_ip("203.0.113.5", "", TRUSTED) == "203.0.113.5"


def test_forwarded_header_from_an_untrusted_peer_is_ignored():
    assert resolve_client_ip("203.0.113.5", "1.2.3.4", TRUSTED) == "203.0.113.5"


def test_right_most_untrusted_hop_is_the_client():
    # client 198.51.100.7 -> nginx (10.0.0.3) -> gunicorn; the client forged "1.2.3.4".
    chain = "1.2.3.4, 198.51.100.7, 10.0.0.3"
    assert resolve_client_ip("127.0.0.1", chain, TRUSTED) == "198.51.100.7"


def test_all_hops_trusted_gives_the_left_most():
    assert resolve_client_ip("127.0.0.1", "10.0.0.9, 10.0.0.3", TRUSTED) == "10.0.0.9"


def test_malformed_hop_stops_the_walk_at_the_last_trusted_address():
    assert resolve_client_ip("127.0.0.1", "198.51.100.7, not-an-ip", TRUSTED) == "127.0.0.1"


def test_ports_brackets_and_mapped_ipv4_are_normalised():
    assert resolve_client_ip("127.0.0.1", "198.51.100.7:5500", TRUSTED) == "198.51.100.7"
    assert resolve_client_ip("::1", "[2001:db8::5]:443", TRUSTED) == "2001:db8::5"
    assert resolve_client_ip("::ffff:127.0.0.1", "198.51.100.8", TRUSTED) == "198.51.100.8"


def test_address_in_networks():
    assert address_in("10.1.2.3", TRUSTED)
    assert not address_in("11.1.2.3", TRUSTED)
    assert not address_in("garbage", TRUSTED)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [("203.0.113.9", "6.6.6.6", "203.0.113.9"), ("127.0.0.1", "6.6.6.6", "6.6.6.6")],
)
def test_get_client_ip_uses_the_trusted_proxies_setting(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert get_client_ip(request) == expected
