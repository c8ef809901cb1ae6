from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class User(AbstractUser):
    email = models.EmailField("email address")
    is_host = models.BooleanField(
        default=False, help_text="Hosts may publish events and see their bookings."
    )
    phone = models.CharField(max_length=32, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)

    class Meta:
        constraints = [
            # Case-insensitive uniqueness in the database: "Ann@x.org" and "ann@x.org" are one
            # address. Blank emails are not allowed by the forms, and never collide here.
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                condition=~models.Q(email=""),
                violation_error_message="A user with that email address already exists.",
            ),
            # Log-in by username ignores case too, so usernames must be unique that way.
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message="A user with that username already exists.",
            ),
        ]

    def __str__(self):
        return self.username

    def get_absolute_url(self):
        return reverse("accounts:profile")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
