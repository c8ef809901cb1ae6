"""Headers Django's SecurityMiddleware does not set: Content-Security-Policy and
Permissions-Policy, plus X-Frame-Options on responses that never reach Django's
XFrameOptionsMiddleware (page-cache hits, 429s, which are answered above it).

The policy (settings.CONTENT_SECURITY_POLICY) allows no inline script and no inline style:
templates use files under /static/ only. It is sent whenever DEBUG is off (Django's debug pages
use inline script and style).
"""

from django.conf import settings


def build_policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.SECURITY_HEADERS_ENABLED
        self.csp = build_policy(settings.CONTENT_SECURITY_POLICY)
        self.permissions_policy = settings.PERMISSIONS_POLICY
        self.frame_options = settings.X_FRAME_OPTIONS

    def __call__(self, request):
        response = self.get_response(request)
        if not self.enabled:
            return response
        headers = response.headers
        if self.csp and "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = self.csp
        if self.permissions_policy and "Permissions-Policy" not in headers:
            headers["Permissions-Policy"] = self.permissions_policy
        if "X-Frame-Options" not in headers and not getattr(
            response, "xframe_options_exempt", False
        ):
            headers["X-Frame-Options"] = self.frame_options
        if "X-Content-Type-Options" not in headers:
            headers["X-Content-Type-Options"] = "nosniff"
        return response
