"""Reviews and favourites in the admin.

Reviews are written by attendees only (reviews.services checks the booking), so the admin
cannot add one or change its rating; it can edit a comment (moderation) and delete reviews
through reviews.services.review_delete, which keeps the event's stored rating exact.
"""

from django.contrib import admin
from django.db import transaction
from django.utils.text import Truncator

from .models import Favorite, Review
from .services import review_delete


class RatingFilter(admin.SimpleListFilter):
    """Fixed choices: Django's default filter for a plain integer field would list the
    distinct ratings with a scan of the whole reviews table."""

    title = "rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(str(value), "★" * value) for value in range(5, 0, -1)]

    def queryset(self, request, queryset):
        if self.value() in {"1", "2", "3", "4", "5"}:
            return queryset.filter(rating=int(self.value()))
        return queryset


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("event", "user", "rating", "comment_excerpt", "created_at")
    list_select_related = ("event", "user")
    list_filter = (RatingFilter, "created_at")
    search_fields = ("event__title", "=event__slug", "=user__username")
    autocomplete_fields = ("user", "event", "booking")
    ordering = ("-pk",)
    list_per_page = 50
    show_full_result_count = False
    # Facet counts would aggregate over the whole table for every filter choice.
    show_facets = admin.ShowFacets.NEVER
    fields = ("event", "user", "booking", "rating", "comment", "created_at", "updated_at")
    readonly_fields = ("event", "user", "booking", "rating", "created_at", "updated_at")

    @admin.display(description="Comment")
    def comment_excerpt(self, review):
        return Truncator(review.comment).chars(80)

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Only the comment is editable here; the rating summary is unaffected.
        obj.save(update_fields=["comment", "updated_at"])

    def delete_model(self, request, obj):
        review_delete(actor=request.user, review=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            # One event lock at a time, in ascending order, as the other services take them.
            for review in queryset.order_by("event_id", "pk"):
                review_delete(actor=request.user, review=review)


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "created_at")
    list_select_related = ("user", "event")
    list_filter = ("created_at",)
    search_fields = ("=user__username", "=user__email", "event__title")
    autocomplete_fields = ("user", "event")
    ordering = ("-pk",)
    list_per_page = 50
    show_full_result_count = False
    # Facet counts would aggregate over the whole table for every filter choice.
    show_facets = admin.ShowFacets.NEVER
