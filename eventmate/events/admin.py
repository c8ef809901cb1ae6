"""Admin for cities, events and their images.

Built for 100,000+ events: no per-row queries (related rows are joined in), no filter whose
choices need a scan of the events table (hosts and cities are found through autocomplete or
search instead), and no second COUNT over the whole table on every page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html

from eventmate.core import cache_versions

from .models import City, Event, EventImage
from .services import _delete_files_on_commit, _stored_name
from .slugs import unique_slug

# Bulk actions update in chunks so the id list stays under every database's parameter limit.
ACTION_CHUNK = 500
# Past this many events, one bump of every event page beats a slug lookup per event.
PER_EVENT_INVALIDATION_LIMIT = 50


def _queue_events_changed(event_ids: list[int]) -> None:
    event_ids = list(event_ids)
    if not event_ids:
        return
    if len(event_ids) <= PER_EVENT_INVALIDATION_LIMIT:
        transaction.on_commit(
            lambda: [cache_versions.event_changed(event_id) for event_id in event_ids]
        )
        return
    scopes = [cache_versions.event_scope(event_id) for event_id in event_ids]
    transaction.on_commit(
        lambda: cache_versions.bump(cache_versions.EVENT_PAGES, cache_versions.LISTINGS, *scopes)
    )


# --------------------------------------------------------------------------------------------
# Cities
# --------------------------------------------------------------------------------------------


class CityAdminForm(forms.ModelForm):
    # No Meta: ModelAdmin.get_form supplies the model and its fields.

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            image.name = _stored_name(image)
        return image


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    form = CityAdminForm
    list_display = ("name", "region", "country", "slug", "timezone", "is_featured")
    list_filter = ("is_featured", "country")
    search_fields = ("name", "region", "country", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)
    show_full_result_count = False
    actions = ("feature_cities", "unfeature_cities")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(cache_versions.listings_changed)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(cache_versions.listings_changed)

    @admin.action(description="Feature selected cities on the home page", permissions=["change"])
    def feature_cities(self, request, queryset):
        self._set_featured(request, queryset, True)

    @admin.action(description="Stop featuring selected cities", permissions=["change"])
    def unfeature_cities(self, request, queryset):
        self._set_featured(request, queryset, False)

    def _set_featured(self, request, queryset, value: bool) -> None:
        with transaction.atomic():
            count = queryset.exclude(is_featured=value).update(is_featured=value)
            transaction.on_commit(cache_versions.listings_changed)
        verb = "featured" if value else "no longer featured"
        self.message_user(request, f"{count} cit{'y' if count == 1 else 'ies'} {verb}.")


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


class EventImageInlineForm(forms.ModelForm):
    class Meta:
        model = EventImage
        fields = ("image", "alt_text", "order", "is_primary")

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            # Validates with Pillow and picks a random name with the real format's extension.
            image.name = _stored_name(image)
        return image


class EventImageInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        primaries = sum(
            1
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_primary")
        )
        if primaries > 1:
            raise ValidationError("Mark at most one image as the primary image.")


class EventImageInline(admin.TabularInline):
    model = EventImage
    form = EventImageInlineForm
    formset = EventImageInlineFormSet
    fields = ("preview", "image", "alt_text", "order", "is_primary")
    readonly_fields = ("preview",)
    extra = 0

    @admin.display(description="Preview")
    def preview(self, image):
        if not image.pk or not image.image:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="width:96px;height:64px;object-fit:cover;'
            'border-radius:4px">',
            image.image.url,
        )


class TimingFilter(admin.SimpleListFilter):
    """Upcoming or past, from the clock alone: no query to build the choices."""

    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return (("upcoming", "Upcoming or running"), ("past", "Past"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(ends_at__gt=now)
        if self.value() == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


class EventAdminForm(forms.ModelForm):
    # No Meta: ModelAdmin.get_form supplies the model and its fields.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = (
                "Leave empty to derive it from the title. It never changes afterwards, so "
                "links keep working when the event is renamed."
            )

    def clean(self):
        cleaned = super().clean()
        event = self.instance
        if event.pk is None:
            return cleaned
        # The booking services own the counters; these checks turn what the database's
        # constraints would refuse into form errors.
        taken = event.tickets_sold + event.tickets_held
        capacity = cleaned.get("capacity")
        if capacity is not None and capacity < taken:
            self.add_error(
                "capacity", f"{taken} tickets are sold or held; the capacity can't be lower."
            )
        currency = cleaned.get("currency")
        if currency and currency != event.currency and event.bookings.exists():
            self.add_error("currency", "The currency can't change once the event has bookings.")
        return cleaned


class EventChangeList(ChangeList):
    # The long texts make up most of an event row; leaving them out of the page query keeps
    # the rows a sort by a column has to carry small.
    LONG_TEXTS = (
        "description",
        "whats_included",
        "things_to_know",
        "cancellation_policy",
        "search_vector",
    )

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*self.LONG_TEXTS)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    inlines = (EventImageInline,)
    list_display = (
        "title",
        "starts_at",
        "city",
        "host",
        "category",
        "price_label",
        "tickets_label",
        "is_published",
        "is_featured",
        "is_cancelled",
    )
    list_select_related = ("city", "host")
    # No host or city filter: their choice lists would be built from a scan of every event.
    list_filter = (TimingFilter, "is_published", "is_featured", "is_cancelled", "category")
    search_fields = ("title", "=slug", "venue")
    autocomplete_fields = ("host", "city")
    # Newest first, along the primary key index (there is no unfiltered index on starts_at).
    ordering = ("-pk",)
    list_per_page = 50
    show_full_result_count = False
    # Facet counts would aggregate over the whole table for every filter choice.
    show_facets = admin.ShowFacets.NEVER
    actions = ("publish_events", "unpublish_events", "feature_events", "unfeature_events")
    readonly_fields = (
        "tickets_sold",
        "tickets_held",
        "is_cancelled",
        "rating_average",
        "rating_count",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "host", "category", "description")}),
        (
            "Where and when",
            {
                "fields": (
                    "city",
                    "venue",
                    "address",
                    ("latitude", "longitude"),
                    ("starts_at", "ends_at"),
                )
            },
        ),
        (
            "Tickets",
            {
                "fields": (
                    ("price", "currency"),
                    "capacity",
                    ("tickets_sold", "tickets_held"),
                    "free_cancellation_hours",
                    "minimum_age",
                )
            },
        ),
        (
            "Details",
            {
                "classes": ("collapse",),
                "fields": ("whats_included", "things_to_know", "cancellation_policy"),
            },
        ),
        (
            "Status",
            {
                "fields": (
                    ("is_published", "is_featured", "is_cancelled"),
                    ("rating_average", "rating_count"),
                    ("created_at", "updated_at"),
                )
            },
        ),
    )

    def get_changelist(self, request, **kwargs):
        return EventChangeList

    def get_search_results(self, request, queryset, search_term):
        """Title words (all of them) or the exact slug. On PostgreSQL the title match is
        written as LOWER(title) LIKE '%word%', which the trigram index on lower(title) from
        migration 0002 serves; the default UPPER(…) form would scan every event."""
        words = search_term.split()
        if not words or connection.vendor != "postgresql":
            return super().get_search_results(request, queryset, search_term)
        title_match = Q()
        for word in words:
            title_match &= Q(title_lower__contains=word.lower())
        matched = queryset.alias(title_lower=Lower("title")).filter(
            title_match | Q(slug=search_term.strip())
        )
        return matched, False

    @admin.display(description="Price", ordering="price")
    def price_label(self, event):
        return "Free" if event.is_free else f"{event.price} {event.currency}"

    @admin.display(description="Sold / capacity")
    def tickets_label(self, event):
        return f"{event.tickets_sold} / {event.capacity}"

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "slug") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            if not obj.slug:
                obj.slug = unique_slug(obj.title)
            obj.save()
        else:
            # Only what the form changed: a full save would write back the ticket counters
            # read when the form was loaded, undoing bookings made since.
            columns = {field.name for field in Event._meta.concrete_fields}
            changed = [name for name in form.changed_data if name in columns]
            if changed:
                obj.save(update_fields=[*changed, "updated_at"])
        _queue_events_changed([obj.pk])

    def save_formset(self, request, form, formset, change):
        if formset.model is not EventImage:
            return super().save_formset(request, form, formset, change)
        images = formset.save(commit=False)
        removed = [image.image.name for image in formset.deleted_objects]
        for image in formset.deleted_objects:
            image.delete()
        # Clear the old primary before setting a new one: the partial unique index allows
        # one primary per event at any moment.
        for image in sorted(images, key=lambda image: image.is_primary):
            image.save()
        formset.save_m2m()
        _delete_files_on_commit(removed)
        _queue_events_changed([form.instance.pk])

    def delete_model(self, request, obj):
        event_id = obj.pk
        super().delete_model(request, obj)
        _queue_events_changed([event_id])

    def delete_queryset(self, request, queryset):
        event_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        _queue_events_changed(event_ids)

    @admin.action(description="Publish selected events", permissions=["change"])
    def publish_events(self, request, queryset):
        self._set_flag(request, queryset, "is_published", True, "published")

    @admin.action(description="Unpublish selected events", permissions=["change"])
    def unpublish_events(self, request, queryset):
        self._set_flag(request, queryset, "is_published", False, "unpublished")

    @admin.action(description="Feature selected events", permissions=["change"])
    def feature_events(self, request, queryset):
        self._set_flag(request, queryset, "is_featured", True, "featured")

    @admin.action(description="Stop featuring selected events", permissions=["change"])
    def unfeature_events(self, request, queryset):
        self._set_flag(request, queryset, "is_featured", False, "no longer featured")

    def _set_flag(self, request, queryset, field: str, value: bool, verb: str) -> None:
        event_ids = list(queryset.filter(~Q(**{field: value})).values_list("pk", flat=True))
        now = timezone.now()
        with transaction.atomic():
            for start in range(0, len(event_ids), ACTION_CHUNK):
                chunk = event_ids[start : start + ACTION_CHUNK]
                Event.objects.filter(pk__in=chunk).update(**{field: value, "updated_at": now})
            _queue_events_changed(event_ids)
        count = len(event_ids)
        level = messages.SUCCESS if count else messages.INFO
        self.message_user(request, f"{count} event{'s' if count != 1 else ''} {verb}.", level)


@admin.register(EventImage)
class EventImageAdmin(admin.ModelAdmin):
    form = EventImageInlineForm
    list_display = ("__str__", "event", "order", "is_primary")
    list_select_related = ("event",)
    list_filter = ("is_primary",)
    search_fields = ("alt_text", "event__title", "=event__slug")
    autocomplete_fields = ("event",)
    ordering = ("-pk",)
    show_full_result_count = False
    # Facet counts would aggregate over the whole table for every filter choice.
    show_facets = admin.ShowFacets.NEVER

    def get_fields(self, request, obj=None):
        return ("event", "image", "alt_text", "order", "is_primary")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _queue_events_changed([obj.event_id])

    def delete_model(self, request, obj):
        event_id, name = obj.event_id, obj.image.name
        super().delete_model(request, obj)
        _delete_files_on_commit([name])
        _queue_events_changed([event_id])

    def delete_queryset(self, request, queryset):
        rows = list(queryset.values_list("event_id", "image"))
        super().delete_queryset(request, queryset)
        _delete_files_on_commit([name for _, name in rows])
        _queue_events_changed(sorted({event_id for event_id, _ in rows}))
