"""The parts of whole-page-cached pages that differ for a signed-in visitor, rendered alone
(eventmate.core.pagecache.personal_from_cache splices them into the anonymous copy)."""

from django.template.loader import render_to_string

SITE_NAV_TEMPLATE = "core/_site_nav.html"


def site_nav(request) -> str:
    """The header's navigation: the visitor's links, name and log-out form."""
    return render_to_string(SITE_NAV_TEMPLATE, request=request)


def navigation_only(request, **view_kwargs) -> dict[str, str]:
    """For pages whose only personal part is the site navigation (listings)."""
    return {"nav": site_nav(request)}
