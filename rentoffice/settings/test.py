from .base import *  # noqa: F403
from .base import env

DEBUG = False
# The test client's host; not allowed outside tests.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "rentoffice.sms.backends.locmem.SmsBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
import tempfile  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="rentoffice-media-"))  # noqa: F405
WHITENOISE_AUTOREFRESH = True
# Separate test databases per checkout/agent running at the same time: TEST_DB_SUFFIX=_x.
DATABASES["default"]["TEST"] = {"NAME": "test_rentoffice" + env("TEST_DB_SUFFIX", default="")}  # noqa: F405
# Throttle counters (rentoffice/security.py) must not carry over from one test to the next; tests of
# the throttles switch on a fresh local-memory cache with override_settings.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
