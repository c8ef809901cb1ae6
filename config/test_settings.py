"""Test settings: production settings with only what tests must change."""

import copy
import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

from .settings import *  # noqa: F403
from .settings import DATABASES, IS_POSTGRES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The manifest storage needs collectstatic first; tests render templates without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
# Tests build rows with factories, which do not bump cache versions as the services do, so a
# whole-page cache would serve pages from before a test's own writes. tests/core enables it
# where it is under test.
PAGE_CACHE_ENABLED = False
# Metrics stay in the test process even if the shell exported a Gunicorn multiprocess folder.
PROMETHEUS_MULTIPROC_DIR = ""

if IS_POSTGRES:
    # Several test runs may share one server (CI, developers in parallel): one database each.
    DATABASES["default"]["TEST"] = {"NAME": f"test_eventmate_{os.getpid()}"}

# A second alias on the same test database (a test mirror), so tests can see which reads the
# replica router sends where. Routing stays off unless a test turns DATABASE_READ_REPLICA on
# (tests/core/test_db_router.py).
DATABASES["replica"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}
DATABASE_READ_REPLICA = ""
