"""Discovery pages: home, search, city, event detail, autocomplete.

For anonymous visitors these pages read no session and render no CSRF token, so a whole-page
cache can serve them: the favourite and booking forms appear only for signed-in users, and
anonymous visitors get log-in links instead. Signed-in visitors of the listings get the
anonymous copy with their own site navigation (pagecache.personal_from_cache).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from eventmate.core.pagecache import EVENT, LISTINGS, anonymous_page_cache
from eventmate.core.personal_parts import navigation_only, site_nav

from .. import search, selectors
from ..models import Category

PARTIAL_PARAM = "partial"


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None marks a gap ("…")
    url: str = ""
    is_current: bool = False


def _pagination(results: selectors.SearchResults, path: str) -> dict:
    filters = results.filters
    return {
        "page_links": [
            PageLink(n, filters.url(path, page=n), n == results.page) if n else PageLink(None)
            for n in results.page_numbers
        ],
        "previous_url": filters.url(path, page=results.page - 1) if results.has_previous else "",
        "next_url": filters.url(path, page=results.page + 1) if results.has_next else "",
    }


def _search_response(request, *, template: str, scope_city=None, extra_context=None):
    """Shared by the search and city pages: same filters, same results markup.

    With ?partial=1 only the result cards and the pagination are returned, for the "load
    more" button; the URL alone decides the answer, so it caches like any other page.
    """
    parsed = search.parse_search_params(
        request.GET,
        # One day of slack so a visitor west of the server's zone can still ask for "today".
        today=timezone.localdate() - timedelta(days=1),
        with_location=scope_city is None,
    )
    results = selectors.event_search(
        filters=parsed.filters, notices=parsed.notices, scope_city=scope_city
    )
    chips = search.filter_chips(
        results.filters,
        request.path,
        city_label=results.city.name if results.city and not scope_city else "",
    )
    context = {
        "results": results,
        "filters": results.filters,
        "chips": chips,
        "clear_url": request.path,
        "sort_choices": search.SORT_CHOICES,
        "date_presets": search.DATE_PRESETS,
        "categories": Category.choices,
        "count_cap": selectors.COUNT_CAP,
        **_pagination(results, request.path),
        **(extra_context or {}),
    }
    if request.GET.get(PARTIAL_PARAM) == "1":
        return render(request, "events/_results_page.html", context)
    return render(request, template, context)


@anonymous_page_cache(LISTINGS, personal=navigation_only)
@require_safe
def home(request):
    context = {
        "home": selectors.home_page(),
        "date_presets": search.DATE_PRESETS,
    }
    return render(request, "events/home.html", context)


@anonymous_page_cache(LISTINGS, personal=navigation_only)
@require_safe
def event_search(request):
    return _search_response(request, template="events/search.html")


@anonymous_page_cache(LISTINGS, personal=navigation_only)
@require_safe
def city_detail(request, slug):
    city = selectors.city_by_slug(slug=slug)
    if city is None:
        raise Http404("No such city.")
    return _search_response(
        request, template="events/city.html", scope_city=city, extra_context={"city": city}
    )


def _page_number(raw: str) -> int:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit():
        return int(raw) if len(raw) <= 6 else 10**6  # clamped to the last page by the selector
    return 1


def _event_personal_parts(request, slug):
    """The signed-in visitor's parts of a cached event page: navigation, booking form,
    favourite button and review link, from one small query (pagecache.personal_from_cache).
    Which parts exist follows the event's state, so a copy rendered in another state (sold
    out since, say) doesn't match and the whole page is rendered instead."""
    event = selectors.event_for_visitor(slug=slug)
    if event is None or not selectors.can_view_event(event=event, user=request.user):
        return None
    booking = selectors.booking_options(event=event)
    context = {
        "event": event,
        "booking": booking,
        "is_favorite": selectors.is_favorite(event=event, user=request.user),
    }
    parts = {
        "nav": site_nav(request),
        "favorite": render_to_string("events/_event_favorite.html", context, request=request),
    }
    if booking.is_available:
        parts["booking"] = render_to_string(
            "events/_event_booking_form.html", context, request=request
        )
    if event.is_past:
        parts["review-link"] = render_to_string(
            "events/_event_review_link.html", context, request=request
        )
    return parts


@anonymous_page_cache(EVENT, personal=_event_personal_parts)
@require_safe
def event_detail(request, slug):
    event = selectors.event_detail(slug=slug)
    if event is None or not selectors.can_view_event(event=event, user=request.user):
        raise Http404("No such event.")
    context = {
        "event": event,
        "reviews": selectors.event_reviews(
            event=event, page=_page_number(request.GET.get("reviews", ""))
        ),
        # Lazy: the template caches this section (versioned), so a hit runs no query for it.
        "similar": SimpleLazyObject(lambda: selectors.similar_events(event=event)),
        "booking": selectors.booking_options(event=event),
        "is_favorite": selectors.is_favorite(event=event, user=request.user),
        "few_tickets_left": selectors.FEW_TICKETS_LEFT,
    }
    return render(request, "events/event_detail.html", context)


@anonymous_page_cache(LISTINGS)
@require_safe
def autocomplete(request):
    return JsonResponse(selectors.autocomplete(text=request.GET.get("q", "")))
