"""Hosting forms: the event itself, and its images (uploads, order, primary, alt text, removal).

Dates and times are typed as the event's local wall-clock time: a `datetime-local` input has
no time zone, so EventForm reads it in the selected city's time zone (and shows stored times
back in it), whatever the server's or the browser's zone is.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from eventmate.core.images import validate_image_upload

from .models import City, Event
from .selectors import city_timezone
from .services import HOST_EDITABLE_FIELDS, MAX_IMAGES_PER_EVENT, ImageChanges

# Offered in the currency menu; the site default and an event's current currency are added.
COMMON_CURRENCIES = (
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK",
    "JPY", "SGD", "HKD", "INR", "BRL", "MXN", "ZAR",
)  # fmt: skip
MAX_EVENT_DURATION = dt.timedelta(days=60)
MAX_YEARS_AHEAD = 5
IMAGE_ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


def _is_unambiguous(naive: dt.datetime, zone: ZoneInfo) -> bool:
    """False for wall-clock times skipped or repeated by a daylight-saving change."""
    return (
        naive.replace(tzinfo=zone, fold=0).utcoffset()
        == naive.replace(tzinfo=zone, fold=1).utcoffset()
    )


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` value, kept naive: EventForm.clean gives it the city's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        # Far-off years overflow when converted between zones; no event is that far away.
        if not 1900 <= parsed.year <= 2200:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed.replace(tzinfo=None, second=0, microsecond=0)

    def prepare_value(self, value):
        return value


class CoordinateField(forms.DecimalField):
    """Latitude or longitude; more precise input (phones give 7+ decimals) is rounded to the
    six decimals stored (about 10 cm) instead of being refused."""

    def __init__(self, *, limit: int, **kwargs):
        super().__init__(
            required=False,
            min_value=Decimal(-limit),
            max_value=Decimal(limit),
            max_digits=9,
            decimal_places=6,
            **kwargs,
        )

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            if not value.is_finite() or abs(value) > 1000:
                raise InvalidOperation
            return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class CityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, city):
        return f"{city.name}, {city.country} ({city.timezone})"


class EventForm(forms.ModelForm):
    city = CityChoiceField(
        queryset=City.objects.order_by("name", "country"),
        help_text="Start and end times are in this city's local time.",
    )
    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends")
    latitude = CoordinateField(limit=90, help_text="Optional, e.g. 40.712776.")
    longitude = CoordinateField(limit=180, help_text="Optional, e.g. -74.005974.")
    currency = forms.ChoiceField()
    capacity = forms.IntegerField(min_value=1, max_value=1_000_000)
    free_cancellation_hours = forms.IntegerField(
        min_value=0,
        max_value=24 * 365,
        initial=48,
        help_text="Bookings can be cancelled free of charge until this many hours before "
        "the start.",
    )

    class Meta:
        model = Event
        fields = HOST_EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "whats_included": forms.Textarea(attrs={"rows": 3}),
            "things_to_know": forms.Textarea(attrs={"rows": 3}),
            "cancellation_policy": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "is_published": "Published (visible in search and bookable)",
            "whats_included": "What's included",
            "minimum_age": "Minimum age",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.instance
        currencies = dict.fromkeys([settings.DEFAULT_CURRENCY, *COMMON_CURRENCIES])
        if event.pk:
            currencies = dict.fromkeys([event.currency, *currencies])
        self.fields["currency"].choices = [(code, code) for code in currencies]
        if not event.pk:
            self.initial.setdefault("currency", settings.DEFAULT_CURRENCY)
        else:
            zone = city_timezone(event.city)
            for name in ("starts_at", "ends_at"):
                self.initial[name] = getattr(event, name).astimezone(zone).replace(tzinfo=None)
        if not event.pk:
            self.fields["title"].widget.attrs["autofocus"] = True
        self.fields["price"].widget.attrs.update({"min": 0, "step": "0.01"})
        self.fields["price"].help_text = "0 makes the event free."

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError("Give the event a title.", code="required")
        return title

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        event = self.instance
        taken = (event.tickets_sold + event.tickets_held) if event.pk else 0
        if capacity < taken:
            raise ValidationError(
                f"{taken} tickets are already sold or held, so the capacity can't be lower "
                f"than {taken}.",
                code="below_taken",
            )
        return capacity

    def clean_currency(self):
        currency = self.cleaned_data["currency"]
        event = self.instance
        if event.pk and currency != event.currency and event.bookings.exists():
            raise ValidationError(
                "The currency can't change once tickets have been booked.", code="locked"
            )
        return currency

    def clean(self):
        cleaned = super().clean()
        zone = city_timezone(cleaned.get("city"))
        for name in ("starts_at", "ends_at"):
            naive = cleaned.get(name)
            if naive is None:
                continue
            if not _is_unambiguous(naive, zone):
                self.add_error(
                    name,
                    ValidationError(
                        f"{naive:%H:%M} on {naive:%d %B %Y} is skipped or repeated in {zone.key} "
                        "by a daylight-saving change. Choose another time.",
                        code="ambiguous",
                    ),
                )  # add_error also drops the value from cleaned_data
            else:
                cleaned[name] = naive.replace(tzinfo=zone)
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at:
            self._check_dates(starts_at, ends_at)
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not (
            self.has_error("latitude") or self.has_error("longitude")
        ):
            raise ValidationError(
                "Give both latitude and longitude, or neither.", code="coordinates"
            )
        return cleaned

    def _check_dates(self, starts_at, ends_at):
        now = timezone.now()
        starts_changed = not self.instance.pk or starts_at != self.instance.starts_at
        if starts_changed and starts_at <= now:
            self.add_error("starts_at", "The start must be in the future.")
        elif starts_at > now + dt.timedelta(days=365 * MAX_YEARS_AHEAD):
            self.add_error("starts_at", f"Events can be at most {MAX_YEARS_AHEAD} years ahead.")
        if ends_at <= starts_at:
            self.add_error("ends_at", "The end must be after the start.")
        elif ends_at - starts_at > MAX_EVENT_DURATION:
            self.add_error("ends_at", f"An event can last at most {MAX_EVENT_DURATION.days} days.")

    def host_fields(self) -> dict:
        """The cleaned values the hosting services accept."""
        return {name: self.cleaned_data[name] for name in HOST_EDITABLE_FIELDS}


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several image files from one `<input type=file multiple>`, each checked like an avatar;
    every bad file is named in the error so the host knows which one to replace."""

    widget = MultipleImageInput(attrs={"accept": IMAGE_ACCEPT})

    def clean(self, data, initial=None):
        files = [upload for upload in (data or []) if upload]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        errors, cleaned = [], []
        for upload in files:
            try:
                upload = super().clean(upload)
                validate_image_upload(upload)
            except ValidationError as error:
                name = getattr(upload, "name", "") or "A file"
                errors.extend(
                    ValidationError(f"{name}: {message}", code="invalid_image")
                    for message in error.messages
                )
            else:
                cleaned.append(upload)
        if errors:
            raise ValidationError(errors)
        return cleaned


class EventImagesForm(forms.Form):
    """Uploads plus, for each existing image, its alt text, position and a remove box, and one
    primary choice across them. Plain number inputs and radios: it works without JavaScript.

    Field names are per image id (`alt_<id>`, `position_<id>`, `remove_<id>`), so a stale
    page can only ever address this event's images.
    """

    uploads = MultipleImageField(
        required=False,
        label="Add photos",
        help_text=(
            f"JPEG, PNG, GIF or WebP, up to {settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)} MB "
            f"each; select several at once. At most {MAX_IMAGES_PER_EVENT} per event."
        ),
    )
    uploads_alt_text = forms.CharField(
        required=False,
        max_length=200,
        label="Describe the new photos",
        help_text="Used as their alt text (for screen readers); defaults to the event title. "
        "You can describe each photo separately after uploading.",
    )
    primary = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, images=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.images = list(images)
        self.fields["primary"].choices = [(image.pk, str(image.pk)) for image in self.images]
        for position, image in enumerate(self.images, start=1):
            self.fields[f"alt_{image.pk}"] = forms.CharField(
                required=False, max_length=200, initial=image.alt_text, label="Alt text"
            )
            self.fields[f"position_{image.pk}"] = forms.IntegerField(
                min_value=1, max_value=999, initial=position, label="Position"
            )
            self.fields[f"remove_{image.pk}"] = forms.BooleanField(required=False, label="Remove")
            if image.is_primary:
                self.initial["primary"] = image.pk

    def clean(self):
        cleaned = super().clean()
        removed = sum(1 for image in self.images if cleaned.get(f"remove_{image.pk}"))
        total = len(self.images) - removed + len(cleaned.get("uploads") or [])
        if total > MAX_IMAGES_PER_EVENT:
            self.add_error(
                "uploads",
                f"An event can have at most {MAX_IMAGES_PER_EVENT} photos; this would make "
                f"{total}. Remove some first.",
            )
        return cleaned

    def rows(self):
        """Per existing image: the image and its bound fields, for the template."""
        return [
            {
                "image": image,
                "alt": self[f"alt_{image.pk}"],
                "position": self[f"position_{image.pk}"],
                "remove": self[f"remove_{image.pk}"],
                "is_primary": str(self["primary"].value()) == str(image.pk),
            }
            for image in self.images
        ]

    def changes(self) -> ImageChanges:
        data = self.cleaned_data
        return ImageChanges(
            alt_texts={image.pk: data[f"alt_{image.pk}"].strip() for image in self.images},
            positions={image.pk: data[f"position_{image.pk}"] for image in self.images},
            remove=frozenset(image.pk for image in self.images if data[f"remove_{image.pk}"]),
            primary=data.get("primary"),
        )

    @property
    def uploads_cleaned(self) -> list:
        return self.cleaned_data.get("uploads") or []
