"""`make run`: the production settings as a user meets them, served on http://127.0.0.1:8000.

DEBUG off (a stale link shows the product's 404 page, not Django's list of URL patterns), cached
template loaders, static files from `collectstatic` through whitenoise's manifest storage, gunicorn
workers (see `Procfile`). Only what needs TLS or outside services differs from production: plain
HTTP on the loopback (no HTTPS redirect, no Secure cookies, no HSTS) and e-mail/SMS to the console.
The secret key comes from `var/run/secret_key` (made once by `scripts/secret_key.py`).
"""

from .production import *  # noqa: F403
from .production import LOGGING, env

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
SMS_BACKEND = env("SMS_BACKEND", default="rentoffice.sms.backends.console.SmsBackend")
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="plain")
