from django.conf import settings
from django.db import models
from django.db.models import Q

from eventmate.bookings.models import Booking
from eventmate.events.models import Event


class Review(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reviews")
    # The confirmed booking that entitles the user to review.
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"],
                name="reviews_one_per_user_event",
                violation_error_message="You have already reviewed this event.",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="reviews_rating_1_5"
            ),
        ]
        indexes = [
            # Event page: newest reviews of one event.
            models.Index(fields=["event", "-created_at"], name="reviews_event_recent_idx"),
        ]

    def __str__(self):
        return f"{self.rating}★ by {self.user_id} for {self.event_id}"


class Favorite(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="reviews_favorite_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} ♥ {self.event_id}"
