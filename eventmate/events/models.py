from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class City(models.Model):
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    image = models.ImageField(upload_to="cities/", blank=True)
    is_featured = models.BooleanField(default=False)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["name"]
        indexes = [
            # City autocomplete and the `location=` filter match on the name.
            models.Index(fields=["name"], name="events_city_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="events_city_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="events_city_longitude_range",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.country}"

    def get_absolute_url(self):
        return reverse("events:city-detail", kwargs={"slug": self.slug})


class Category(models.TextChoices):
    MUSIC = "music", "Music"
    SPORTS = "sports", "Sports"
    ARTS = "arts", "Arts & Theatre"
    FOOD_DRINK = "food-drink", "Food & Drink"
    BUSINESS = "business", "Business"
    TECHNOLOGY = "technology", "Technology"
    WELLNESS = "wellness", "Health & Wellness"
    FAMILY = "family", "Family & Kids"
    COMEDY = "comedy", "Comedy"
    COMMUNITY = "community", "Community"
    EDUCATION = "education", "Education"
    NIGHTLIFE = "nightlife", "Nightlife"


class Event(models.Model):
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_events"
    )
    title = models.CharField(max_length=200)
    # Assigned once at creation and never changed, so renaming an event keeps its links.
    slug = models.SlugField(max_length=220, unique=True, allow_unicode=False)
    description = models.TextField()
    category = models.CharField(max_length=20, choices=Category.choices)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="events")
    venue = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="0 means free.",
    )
    currency = models.CharField(max_length=3, default=default_currency)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # Stored counters, kept equal to what the bookings say by eventmate.bookings.services:
    # tickets_sold = sum of confirmed quantities, tickets_held = sum of pending quantities.
    tickets_sold = models.PositiveIntegerField(default=0, editable=False)
    tickets_held = models.PositiveIntegerField(default=0, editable=False)
    whats_included = models.TextField(blank=True)
    things_to_know = models.TextField(blank=True)
    cancellation_policy = models.TextField(blank=True)
    free_cancellation_hours = models.PositiveIntegerField(
        default=48,
        help_text="Bookings can be cancelled free of charge until this many hours "
        "before the start.",
    )
    minimum_age = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(99)], help_text="0 means all ages."
    )
    is_published = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    is_cancelled = models.BooleanField(default=False)
    # True once ends_at has passed, set by events.services.events_mark_ended (a periodic task)
    # and on save. Listings still filter on ends_at, so this may lag without harm; it exists so
    # the listing indexes can leave past events out — otherwise every "upcoming" scan walks
    # through the whole history first (56 ms at 100,000 events, 15,000 of them past).
    has_ended = models.BooleanField(default=False, db_default=False, editable=False)
    # Stored rating summary, kept exact by eventmate.reviews.services.
    rating_average = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # PostgreSQL only: maintained by a trigger (see migration 0002), GIN-indexed.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="events_event_price_gte_0"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="events_event_capacity_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(tickets_sold__gte=0) & Q(tickets_held__gte=0),
                name="events_event_counters_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(tickets_sold__lte=F("capacity") - F("tickets_held")),
                name="events_event_sold_plus_held_lte_capacity",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="events_event_ends_after_starts"
            ),
            models.CheckConstraint(
                condition=Q(rating_average__gte=0, rating_average__lte=5),
                name="events_event_rating_average_0_5",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="events_event_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="events_event_longitude_range",
            ),
        ]
        indexes = [
            # Search and home "upcoming": published events ordered by start.
            models.Index(
                fields=["starts_at"],
                name="events_upcoming_idx",
                condition=Q(is_published=True, has_ended=False),
            ),
            # Category filter and category listings.
            models.Index(
                fields=["category", "starts_at"],
                name="events_category_upcoming_idx",
                condition=Q(is_published=True, has_ended=False),
            ),
            # City pages and the city filter.
            models.Index(
                fields=["city", "starts_at"],
                name="events_city_upcoming_idx",
                condition=Q(is_published=True, has_ended=False),
            ),
            # Home "featured events".
            models.Index(
                fields=["starts_at"],
                name="events_featured_upcoming_idx",
                condition=Q(is_published=True, is_featured=True, has_ended=False),
            ),
            # Host's "my events".
            models.Index(fields=["host", "-starts_at"], name="events_host_idx"),
            # Discovery (events.selectors), over what a visitor may find: published and not
            # cancelled. The capped result count of search and city pages,
            # `WHERE ends_at >= now [AND ends_at >= :from AND starts_at < :to]
            # [AND price …]`, is answered from this index alone (index-only scan).
            models.Index(
                fields=["ends_at", "starts_at", "price"],
                name="events_listed_ends_idx",
                condition=Q(is_published=True, is_cancelled=False, has_ended=False),
            ),
            # Search sorted by price (`ORDER BY price, starts_at LIMIT 24`) and `free=1`.
            models.Index(
                fields=["price", "starts_at"],
                name="events_listed_price_idx",
                condition=Q(is_published=True, is_cancelled=False, has_ended=False),
            ),
            # Home "popular" and search sorted by popularity
            # (`ORDER BY tickets_sold DESC, starts_at LIMIT n`).
            models.Index(
                fields=["-tickets_sold", "starts_at"],
                name="events_listed_popular_idx",
                condition=Q(is_published=True, is_cancelled=False, has_ended=False),
            ),
            # Search sorted by rating (`ORDER BY rating_average DESC, rating_count DESC …`).
            models.Index(
                fields=["-rating_average", "-rating_count", "starts_at"],
                name="events_listed_rating_idx",
                condition=Q(is_published=True, is_cancelled=False, has_ended=False),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # A derived flag, not a side effect: keep it true to ends_at whenever ends_at is saved.
        self.has_ended = self.ends_at < timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "ends_at" in update_fields:
            kwargs["update_fields"] = {*update_fields, "has_ended"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:event-detail", kwargs={"slug": self.slug})

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def tickets_left(self) -> int:
        """Tickets neither sold nor held. Holds past their expiry count here until the booking
        services release them, unless a selector has measured them into `overdue_held` (the
        event page does: events.selectors.event_detail)."""
        held = self.tickets_held - getattr(self, "overdue_held", 0)
        return max(self.capacity - self.tickets_sold - held, 0)

    @property
    def is_sold_out(self) -> bool:
        return self.tickets_left == 0

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


class EventImage(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="events/%Y/%m/")
    alt_text = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(is_primary=True),
                name="events_eventimage_one_primary_per_event",
                violation_error_message="An event can have only one primary image.",
            ),
        ]

    def __str__(self):
        return self.alt_text or f"Image {self.pk} of {self.event_id}"
