"""Settings for the Gunicorn instances started by test_servers.py and test_scaleout.py:
production settings, except that static files are served without `collectstatic`'s manifest
(building it for every run would add half a minute and test nothing these tests are about),
and passwords use the test suite's hasher, so users the tests create can log in to them."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
