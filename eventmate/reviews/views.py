"""Favourites (toggle, list) and reviews (write, edit, delete one's own)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from eventmate.core.redirects import local_redirect_target
from eventmate.events.models import Event
from eventmate.events.selectors import can_view_event

from . import services
from .exceptions import AlreadyReviewed, NotEligible, ReviewError
from .forms import ReviewForm
from .models import Favorite, Review
from .selectors import favorites_page, review_eligibility, user_review

# An explicit state makes the request idempotent; without one the favourite flips.
FAVORITE_STATES = {"add": True, "remove": False}


@require_POST
def favorite_toggle(request, slug):
    event = get_object_or_404(Event, slug=slug)
    as_json = _wants_json(request)
    if not request.user.is_authenticated:
        login_url = reverse("accounts:login")
        if as_json:
            return JsonResponse(
                {"error": "Log in to save favourites.", "login_url": login_url}, status=401
            )
        # Back to the page the visitor was on (never to this POST-only URL).
        return redirect_to_login(_safe_next(request) or event.get_absolute_url(), login_url)
    already = Favorite.objects.filter(user=request.user, event=event).exists()
    if not already and not can_view_event(event=event, user=request.user):
        raise Http404("No such event.")  # unpublished: only removing an old favourite is allowed
    state = services.favorite_toggle(
        user=request.user,
        event=event,
        favorited=FAVORITE_STATES.get(request.POST.get("action", "")),
    )
    if as_json:
        return JsonResponse({"favorited": state.favorited, "count": state.count})
    if state.favorited:
        messages.success(request, f"“{event.title}” is saved in your favourites.")
    else:
        messages.info(request, f"“{event.title}” is removed from your favourites.")
    # Not redirect(): it would take a bare word in next= for a URL name (NoReverseMatch, 500).
    return HttpResponseRedirect(_safe_next(request) or event.get_absolute_url())


@login_required
@require_safe
def favorite_list(request):
    page = favorites_page(user=request.user, page_number=request.GET.get("page"))
    return render(request, "reviews/favorite_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request, slug):
    event = _visible_event(request, slug)
    if user_review(user=request.user, event=event) is not None:
        messages.info(request, "You have already reviewed this event; you can edit your review.")
        return redirect("reviews:review-edit", slug=event.slug)
    eligibility = review_eligibility(user=request.user, event=event)
    if not eligibility.allowed:
        return _not_allowed(request, event, eligibility.reason)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.review_create(user=request.user, event=event, **form.cleaned_data)
        except AlreadyReviewed as error:
            messages.info(request, error.message)
            return redirect("reviews:review-edit", slug=event.slug)
        except NotEligible as error:
            return _not_allowed(request, event, error.message)
        except ReviewError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you: your review is published.")
            return redirect(event.get_absolute_url() + "#reviews")
    return render(request, "reviews/review_form.html", {"form": form, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, slug):
    review = _own_review(request, slug)
    initial = {"rating": review.rating, "comment": review.comment}
    form = ReviewForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services.review_update(actor=request.user, review=review, **form.cleaned_data)
        except ReviewError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your review is updated.")
            return redirect(review.event.get_absolute_url() + "#reviews")
    return render(
        request,
        "reviews/review_form.html",
        {"form": form, "event": review.event, "review": review},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_delete(request, slug):
    review = _own_review(request, slug)
    if request.method == "POST":
        try:
            services.review_delete(actor=request.user, review=review)
        except ReviewError as error:
            raise Http404(error.message) from None
        messages.success(request, "Your review is deleted.")
        return redirect(review.event.get_absolute_url() + "#reviews")
    return render(request, "reviews/review_confirm_delete.html", {"review": review})


def _visible_event(request, slug) -> Event:
    event = get_object_or_404(Event.objects.select_related("city"), slug=slug)
    if not can_view_event(event=event, user=request.user):
        raise Http404("No such event.")
    return event


def _own_review(request, slug) -> Review:
    """The signed-in user's review of the event; anyone else's is never reachable here."""
    return get_object_or_404(
        Review.objects.select_related("event", "event__city"),
        event__slug=slug,
        user=request.user,
    )


def _not_allowed(request, event, reason):
    return render(
        request, "reviews/review_not_allowed.html", {"event": event, "reason": reason}, status=403
    )


def _wants_json(request) -> bool:
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    # A browser's Accept ends in */*, which "accepts" JSON too: ask which it prefers.
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _safe_next(request) -> str | None:
    return local_redirect_target(request, request.POST.get("next") or request.GET.get("next"))
