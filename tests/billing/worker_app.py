"""The project's Celery app for a real worker started by a test, with unacked messages restored fast.

Redis hands an unacknowledged message (acks_late) to a worker again once its visibility timeout
has passed; production keeps the default hour, the test's worker waits seconds.
"""

from rentoffice.celery import app

app.conf.broker_transport_options = {**(app.conf.broker_transport_options or {}), "visibility_timeout": 3}

__all__ = ["app"]
