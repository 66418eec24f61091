"""Billing's Celery tasks, one module per topic (Celery discovers `billing.tasks`)."""

from . import invoices, open_items, payments, settlements  # noqa: F401
