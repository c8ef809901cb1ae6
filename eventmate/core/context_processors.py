from django.conf import settings


def site(request):
    """Values every template may show. Reads no session and runs no query."""
    return {"SITE_NAME": settings.SITE_NAME, "DEFAULT_CURRENCY": settings.DEFAULT_CURRENCY}
