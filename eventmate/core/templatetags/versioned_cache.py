"""Fragment caching with versioned keys, for pages the whole-page cache does not serve
(signed-in visitors):

    {% load versioned_cache %}
    {% cache_version "listings" as listings_version %}
    {% cache 300 event-similar event.pk listings_version %} ... {% endcache %}

The fragment is keyed by the version of what it shows, so cache_versions.event_changed /
listings_changed invalidate it at once; the timeout only bounds staleness from time alone.
Pass the fragment's data lazily (django.utils.functional.SimpleLazyObject) so that a cached
fragment also saves the queries, not just the rendering.
"""

from django import template

from eventmate.core import cache_versions

register = template.Library()


@register.simple_tag
def cache_version(scope: str, ident=None) -> int:
    """Version of "listings", or of "event" `ident` (an event id). Never raises."""
    if scope == "listings":
        return cache_versions.get_version(cache_versions.LISTINGS)
    if scope == "event" and ident is not None:
        return cache_versions.get_version(cache_versions.event_scope(ident))
    raise template.TemplateSyntaxError(f"cache_version: unknown scope {scope!r}")
