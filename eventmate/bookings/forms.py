from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.formats import date_format

from .services import attendance_dates


class BookingForm(forms.Form):
    """Quantity (and day, for multi-day events). Availability is checked by booking_hold under
    the event lock, not here: a form can only know what was free when the page was drawn."""

    quantity = forms.IntegerField(label="Tickets", min_value=1, widget=forms.Select)
    attendance_date = forms.TypedChoiceField(
        label="Day", required=False, choices=(), empty_value=None
    )

    def __init__(self, *args, event, tickets_left: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = settings.BOOKING_MAX_TICKETS_PER_ORDER
        if tickets_left is not None:
            maximum = max(min(maximum, tickets_left), 1)
        # The select offers what was free when the page was drawn; any quantity up to the
        # per-order maximum is accepted here and decided by the service.
        self.fields["quantity"].max_value = settings.BOOKING_MAX_TICKETS_PER_ORDER
        self.fields["quantity"].validators.append(
            MaxValueValidator(settings.BOOKING_MAX_TICKETS_PER_ORDER)
        )
        self.fields["quantity"].widget.choices = [(n, str(n)) for n in range(1, maximum + 1)]
        self.days = attendance_dates(event)
        if self.days:
            self.fields["attendance_date"].required = True
            self.fields["attendance_date"].coerce = self._date_from_iso
            self.fields["attendance_date"].choices = [
                (day.isoformat(), date_format(day, "l j F")) for day in self.days
            ]
        else:
            del self.fields["attendance_date"]

    def _date_from_iso(self, value):
        return next(day for day in self.days if day.isoformat() == value)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label="Ticket code",
        max_length=500,
        help_text="Scan the QR code, or type the 12-letter booking reference.",
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )
