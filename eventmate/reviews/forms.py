from django import forms

from .services import MAX_COMMENT_LENGTH

RATING_CHOICES = [
    (5, "5 – Excellent"),
    (4, "4 – Very good"),
    (3, "3 – Good"),
    (2, "2 – Fair"),
    (1, "1 – Poor"),
]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5 stars."},
    )
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Your review",
        help_text="What was it like? Optional, up to 4,000 characters.",
    )
