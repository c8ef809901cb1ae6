from django.conf import settings
from django.contrib.auth.models import AnonymousUser


class AnonymousWithoutSessionMiddleware:
    """A request without a session cookie is anonymous: say so without opening the session.

    AuthenticationMiddleware makes `request.user` load the session, and loading it makes
    SessionMiddleware add `Vary: Cookie`, which defeats whole-page caching of anonymous pages.
    Without a session cookie there is nothing to load, so the answer is known already.
    Must come right after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            make_anonymous(request)
        return self.get_response(request)


def make_anonymous(request) -> None:
    """Set `request.user` (and `auser`) to an anonymous visitor, without reading a session."""
    anonymous = AnonymousUser()
    request.user = anonymous

    async def auser():
        return anonymous

    request.auser = auser
