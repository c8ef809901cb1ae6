from django.contrib.auth import views as auth_views
from django.http import HttpResponse


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


def _scaffold(request, *args, **kwargs):
    return HttpResponse("scaffold", status=501)


signup = profile = settings_edit = account_delete = _scaffold
