"""Hosting pages: create, edit, delete and list one's own events.

Who may do what is decided by events.permissions; the services check it again under the event
lock, so a view that forgot would still change nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from .. import services
from ..exceptions import HostingError, NotAllowed
from ..forms import EventForm, EventImagesForm
from ..hosting_selectors import host_events_page
from ..models import Event
from ..permissions import can_host, can_manage_event

FORM_TEMPLATE = "events/hosting/event_form.html"


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    if not can_host(request.user):
        return render(request, "events/hosting/not_host.html", status=403)
    data, files = _submitted(request)
    form = EventForm(data)
    images_form = EventImagesForm(data, files)
    if data is not None:
        event = _save(
            form,
            images_form,
            lambda: services.event_create(
                actor=request.user,
                fields=form.host_fields(),
                uploads=images_form.uploads_cleaned,
                upload_alt_text=images_form.cleaned_data["uploads_alt_text"],
            ),
        )
        if event is not None:
            if event.is_published:
                messages.success(request, f"“{event.title}” is published.")
                return redirect(event)
            messages.success(request, f"“{event.title}” is saved as a draft (not published).")
            return redirect("events:event-edit", slug=event.slug)
    return render(request, FORM_TEMPLATE, {"form": form, "images_form": images_form})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, slug):
    event = _managed_event(request, slug)
    saved_title = event.title  # the form writes unsaved input onto the instance
    data, files = _submitted(request)
    form = EventForm(data, instance=event)
    images_form = EventImagesForm(data, files, images=event.images.all())
    if data is not None:
        updated = _save(
            form,
            images_form,
            lambda: services.event_update(
                actor=request.user,
                event=event,
                fields=form.host_fields(),
                image_changes=images_form.changes(),
                uploads=images_form.uploads_cleaned,
                upload_alt_text=images_form.cleaned_data["uploads_alt_text"],
            ),
        )
        if updated is not None:
            messages.success(request, "Your changes are saved.")
            return redirect("events:event-edit", slug=updated.slug)
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "images_form": images_form, "event": event, "event_title": saved_title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request, slug):
    event = _managed_event(request, slug)
    if request.method == "GET":
        return render(
            request,
            "events/hosting/event_confirm_delete.html",
            {"event": event, "has_bookings": event.bookings.exists()},
        )
    try:
        outcome = services.event_delete_or_unpublish(actor=request.user, event=event)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    if outcome is services.DeleteOutcome.DELETED:
        messages.success(request, f"“{event.title}” is deleted.")
    else:
        messages.warning(
            request,
            f"“{event.title}” has bookings, so it was unpublished instead of deleted: it no "
            "longer appears in search and can't be booked, and its bookings are kept.",
        )
    return redirect("events:my-events")


@login_required
@require_safe
def my_events(request):
    page = host_events_page(host=request.user, page_number=request.GET.get("page"))
    return render(
        request,
        "events/hosting/my_events.html",
        {"page": page, "can_host": can_host(request.user)},
    )


def _submitted(request):
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _managed_event(request, slug) -> Event:
    event = get_object_or_404(Event.objects.select_related("city"), slug=slug)
    if not can_manage_event(request.user, event):
        raise PermissionDenied("Only this event's host can change it.")
    return event


def _save(form, images_form, save):
    """Run `save` if both forms are valid; a rule the service enforces becomes a form error."""
    # Both are validated so that every error shows at once.
    if not all([form.is_valid(), images_form.is_valid()]):
        return None
    try:
        return save()
    except HostingError as error:
        form.add_error(None, error.message)
    except ValidationError as error:  # an upload the service refused
        images_form.add_error("uploads", error)
    return None
