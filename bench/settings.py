"""Production settings plus two bare endpoints, for the page load benchmark (`bench/pages.py`).

- `/bench/bare-view/`: a plain Django view in the URL configuration behind the whole production
  middleware chain, requested without a session, so no middleware has work to do and nothing
  touches the database: the limit pages are compared with (the issue's "bare Django view").
- `/bench/bare/`: the same view answered by the first middleware (gunicorn + Django's handler only),
  reported for information.
Both are measured in the same run as the pages, so a busy machine shifts all of them.
"""

from rentoffice.settings.production import *  # noqa: F403
from rentoffice.settings.production import MIDDLEWARE

MIDDLEWARE = ["bench.bare.BareViewMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "bench.urls"
