"""Writes on reviews and favourites.

Rating summary: every review write locks the event row (the same lock the booking services
take first, so the lock order stays event → rows) and then recomputes the event's
`rating_average` and `rating_count` from the reviews with one aggregate. Recomputing rather
than adjusting incrementally keeps the stored numbers exact by construction, even if a review
was ever changed outside these services; under the lock two writers cannot interleave, and the
aggregate is served by the (event, created_at) index. The average is rounded half-up to the
two decimals the column stores, from exact integer sums (no floats).

Cache invalidation (`cache_versions.event_changed`) is queued with `transaction.on_commit`.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum

from eventmate.core import cache_versions
from eventmate.events.models import Event

from .exceptions import (
    AlreadyReviewed,
    CommentTooLong,
    InvalidRating,
    NotAuthor,
    NotEligible,
    ReviewNotFound,
)
from .models import Favorite, Review
from .selectors import review_eligibility

MAX_COMMENT_LENGTH = 4000


@dataclass(frozen=True)
class FavoriteState:
    favorited: bool
    count: int


def favorite_toggle(*, user, event: Event, favorited: bool | None = None) -> FavoriteState:
    """Add or remove `event` from the user's favourites and return the new state with the
    event's number of favourites.

    `favorited=None` flips the current state; True/False set it (idempotent, so a repeated
    request from a double click lands where the user meant). A concurrent insert of the same
    pair is absorbed by the unique constraint. Takes no event lock: favourites change no stored
    counter on the event.
    """
    with transaction.atomic():
        if favorited is None:
            removed, _ = Favorite.objects.filter(user=user, event=event).delete()
            favorited = not removed
        elif not favorited:
            Favorite.objects.filter(user=user, event=event).delete()
        if favorited:
            # INSERT … ON CONFLICT DO NOTHING: a row already there (a double click, a
            # concurrent request) is the state asked for. No savepoint, no read first.
            Favorite.objects.bulk_create([Favorite(user=user, event=event)], ignore_conflicts=True)
        count = Favorite.objects.filter(event=event).count()
    return FavoriteState(favorited=favorited, count=count)


def review_create(*, user, event: Event, rating, comment: str = "") -> Review:
    """Create the user's review of `event` and update the event's rating summary.

    Locks the event row. Raises InvalidRating, AlreadyReviewed (with `.review`), NotEligible
    (no confirmed booking, the event has not started, or the user hosts it). Queues
    `event_changed` on commit.
    """
    rating = _valid_rating(rating)
    comment = _clean_comment(comment)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        existing = Review.objects.filter(user=user, event=locked).first()
        if existing is not None:
            raise AlreadyReviewed(review=existing)
        eligibility = review_eligibility(user=user, event=locked)
        if not eligibility.allowed:
            raise NotEligible(eligibility.reason)
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    user=user,
                    event=locked,
                    booking=eligibility.booking,
                    rating=rating,
                    comment=comment,
                )
        except IntegrityError:
            # Only reachable if a writer skipped the event lock; the constraint still holds.
            raise AlreadyReviewed(
                review=Review.objects.filter(user=user, event=locked).first()
            ) from None
        _refresh_rating(locked)
    return review


def review_update(*, actor, review: Review, rating, comment: str = "") -> Review:
    """Change a review's rating and comment; only its author may. Locks the event row, then
    the review. Raises InvalidRating, NotAuthor, ReviewNotFound. Queues `event_changed`."""
    rating = _valid_rating(rating)
    comment = _clean_comment(comment)
    with transaction.atomic():
        locked = _lock_event(review.event_id)
        current = _lock_review(review.pk)
        if current.user_id != actor.pk:
            raise NotAuthor()
        current.rating = rating
        current.comment = comment
        current.save(update_fields=["rating", "comment", "updated_at"])
        _refresh_rating(locked)
    return current


def review_delete(*, actor, review: Review) -> None:
    """Delete a review; its author or staff (moderation) may. Locks the event row, then the
    review. Raises NotAuthor, ReviewNotFound. Queues `event_changed`."""
    with transaction.atomic():
        locked = _lock_event(review.event_id)
        current = _lock_review(review.pk)
        if current.user_id != actor.pk and not actor.is_staff:
            raise NotAuthor()
        current.delete()
        _refresh_rating(locked)


def _valid_rating(rating) -> int:
    try:
        value = int(rating)
    except (TypeError, ValueError):
        raise InvalidRating() from None
    if not 1 <= value <= 5 or str(value) != str(rating).strip():
        raise InvalidRating()
    return value


def _clean_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise CommentTooLong(limit=MAX_COMMENT_LENGTH)
    return comment


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _lock_review(review_id: int) -> Review:
    try:
        return Review.objects.select_for_update().get(pk=review_id)
    except Review.DoesNotExist:
        raise ReviewNotFound() from None


def _refresh_rating(event: Event) -> None:
    """Store the exact rating summary of `event`. Call with the event row locked."""
    summary = Review.objects.filter(event_id=event.pk).aggregate(
        total=Sum("rating"), count=Count("pk")
    )
    count = summary["count"] or 0
    average = (
        (Decimal(summary["total"]) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if count
        else Decimal("0.00")
    )
    Event.objects.filter(pk=event.pk).update(rating_average=average, rating_count=count)
    event.rating_average, event.rating_count = average, count
    event_id = event.pk
    transaction.on_commit(lambda: cache_versions.event_changed(event_id))
