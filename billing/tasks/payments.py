"""Celery tasks of billing: payments (thin adapters that load by id and call a service)."""
