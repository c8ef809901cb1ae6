from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from eventmate.core.ratelimit import PASSWORD_RESET, rate_limit_auth_post

from . import views

app_name = "accounts"

# The password templates are named explicitly, not after Django's defaults: the admin app
# (listed before this one) ships registration/password_*.html for its own look, and the app
# template loader would pick those first.
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("settings/", views.settings_edit, name="settings"),
    path("settings/delete-account/", views.account_delete, name="account-delete"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    # Django's LogoutView accepts POST only: a link or an image tag cannot log anyone out.
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change.html",
            success_url=reverse_lazy("accounts:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_complete.html"
        ),
        name="password-change-done",
    ),
    path(
        "accounts/password/reset/",
        # Per client IP and per email address: reset emails must not become a mail cannon.
        rate_limit_auth_post(PASSWORD_RESET, account_field="email")(
            auth_views.PasswordResetView.as_view(
                template_name="registration/password_reset_request.html",
                success_url=reverse_lazy("accounts:password-reset-done"),
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_email_subject.txt",
                # Links in emails are built from SITE_URL, never from the request's Host header.
                extra_email_context={
                    "site_url": settings.SITE_URL,
                    "SITE_NAME": settings.SITE_NAME,
                },
            )
        ),
        name="password-reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_sent.html"
        ),
        name="password-reset-done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_new_password.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_finished.html"
        ),
        name="password-reset-complete",
    ),
]
