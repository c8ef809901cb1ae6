"""Hosting pages: create, edit, delete and list one's own events."""

from django.http import HttpResponse


def _scaffold(request, *args, **kwargs):  # replaced by the hosting work (issue 3)
    return HttpResponse("scaffold", status=501)


event_create = event_edit = event_delete = my_events = _scaffold
