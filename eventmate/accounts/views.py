"""Account pages. Every page here is for one person's own account: nothing is cacheable."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from eventmate.bookings.exceptions import BookingError
from eventmate.core.ratelimit import SIGNUP, RateLimitedFormMixin, rate_limit_auth_post
from eventmate.core.redirects import local_redirect_target

from . import selectors, services
from .forms import AccountDeleteForm, LoginForm, ProfileSettingsForm, SignupForm


class LocalNextMixin:
    """Django's next= check lets relative targets ("profile") through: paths on this site only."""

    def get_redirect_url(self):
        return local_redirect_target(self.request, super().get_redirect_url()) or ""


class LoginView(RateLimitedFormMixin, LocalNextMixin, auth_views.LoginView):
    # RATELIMIT_AUTH_REQUESTS log-in POSTs per client IP and per username/email; over it the
    # form says how long to wait and no password is checked (core.ratelimit).
    redirect_authenticated_user = True
    authentication_form = LoginForm
    template_name = "registration/login.html"


class LogoutView(LocalNextMixin, auth_views.LogoutView):
    pass


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    return local_redirect_target(request, candidate) or settings.LOGIN_REDIRECT_URL


@require_http_methods(["GET", "POST"])
@rate_limit_auth_post(SIGNUP, account_field="email")
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, f"Welcome to {settings.SITE_NAME}, {user.username}!")
            # Not redirect(): it would take a bare word such as next=profile for a URL name
            # and fail with a 500 when no such name exists.
            return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)})


@login_required
@require_safe
def profile(request):
    overview = selectors.profile_overview(user=request.user)
    return render(request, "accounts/profile.html", {"overview": overview})


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    form = ProfileSettingsForm(request.POST or None, request.FILES or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_profile_update(
                user=request.user,
                fields={name: data[name] for name in services.PROFILE_FIELDS},
                avatar=data["avatar"],
                remove_avatar=data.get("remove_avatar", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user)
        except BookingError as error:
            messages.error(request, f"Your account was not deleted: {error.message}")
        else:
            logout(request)
            messages.success(request, "Your account has been deleted. We're sorry to see you go.")
            return redirect("/")
    summary = selectors.account_deletion_summary(user=request.user)
    return render(request, "accounts/account_delete.html", {"form": form, "summary": summary})
