"""Discovery pages: home, search, city, event detail, autocomplete."""

from django.http import HttpResponse


def _scaffold(request, *args, **kwargs):  # replaced by the discovery work (issue 3)
    return HttpResponse("scaffold", status=501)


home = event_search = city_detail = event_detail = autocomplete = _scaffold
