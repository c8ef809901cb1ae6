from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from eventmate.core import views as core_views

urlpatterns = [
    path("", include("eventmate.core.urls")),
    path("admin/", admin.site.urls),
    path("", include("eventmate.accounts.urls")),
    path("", include("eventmate.bookings.urls")),
    path("", include("eventmate.reviews.urls")),
    path("", include("eventmate.events.urls")),
]

if settings.BENCH_CEILING:
    # The benchmark's bare-Django ceiling (bench/run.py): same server, same middleware.
    urlpatterns.insert(0, path("bench/ceiling/", core_views.bench_ceiling, name="bench-ceiling"))

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

if settings.DEBUG or settings.MEDIA_STORAGE == "filesystem":
    # Uploaded media from the file system. Behind nginx, deploy/nginx.conf serves /media/
    # directly and these views are never reached.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
