"""Account forms: sign-up, log-in, profile settings, account deletion.

Uniqueness of usernames and emails is enforced by the database (case-insensitive unique
indexes); the checks here only turn the common case into a friendly field error.
"""

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import BaseUserManager
from django.core.exceptions import ValidationError

from eventmate.core.images import validate_image_upload

from .models import User

# Deleted accounts are renamed to "deleted-<id>" (see services.account_delete); nobody may
# take such a name first and block a deletion with a unique-index clash.
RESERVED_USERNAME_PREFIX = "deleted-"
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{6,32}$")

EMAIL_TAKEN = "An account with this email address already exists. Log in, or reset your password."


def normalise_email(email: str) -> str:
    return BaseUserManager.normalize_email((email or "").strip())


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    others = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send booking confirmations and password resets here.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})

    def clean_username(self):
        username = super().clean_username()
        if username and username.lower().startswith(RESERVED_USERNAME_PREFIX):
            raise ValidationError("This username is reserved. Please choose another one.")
        return username

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if email_taken(email):
            raise ValidationError(EMAIL_TAKEN, code="email_taken")
        return email


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That username or email and password don't match an account. Check them and try "
            "again, or reset your password."
        ),
    }


class AvatarField(forms.ImageField):
    """An ImageField that applies the site's upload rules (size, dimensions, format) before
    Pillow fully decodes the file, so an oversized upload gets its own message rather than a
    generic "not an image"."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        validate_image_upload(upload)
        return super().to_python(data)


class ProfileSettingsForm(forms.ModelForm):
    # Not a model field of this form: the service re-encodes the upload before it is stored,
    # and the instance shown on an invalid form must keep its current avatar.
    avatar = AvatarField(
        label="New photo",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text="JPEG, PNG, GIF or WebP, up to 5 MB.",
    )
    remove_avatar = forms.BooleanField(label="Remove my photo", required=False)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "phone", "bio")
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "email": "Booking confirmations and password resets are sent here.",
            "phone": "Optional. Hosts may use it to reach you about an event you booked.",
            "bio": "Optional. A few words about yourself, up to 2,000 characters.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        if not self.instance.avatar:
            del self.fields["remove_avatar"]

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if email_taken(email, exclude_pk=self.instance.pk):
            raise ValidationError(
                "Another account already uses this email address.", code="email_taken"
            )
        return email

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise ValidationError(
                "Enter a phone number with digits, spaces and an optional leading +.",
                code="invalid_phone",
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("avatar") and cleaned.get("remove_avatar"):
            self.add_error(
                "remove_avatar", "Either upload a new photo or remove the current one, not both."
            )
        return cleaned


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Enter your password to confirm that you want to delete your account.",
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not correct.", code="password_incorrect")
        return password
