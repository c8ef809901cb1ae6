"""Where a `next=` parameter may send the visitor: a path on this site, nothing else."""

from django.utils.http import url_has_allowed_host_and_scheme


def local_redirect_target(request, candidate: str | None) -> str | None:
    """`candidate` if it is a path on this site ("/…"), else None.

    Django's url_has_allowed_host_and_scheme refuses other hosts and schemes; on top of it
    only absolute paths pass: a relative target ("profile", "%2F%2Fevil.example") would be
    resolved against the current URL, which no page intends, and "//" or "/\\" would leave
    the site in a browser.
    """
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return None
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return candidate
