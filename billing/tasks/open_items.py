"""Celery tasks of billing: open_items (thin adapters that load by id and call a service)."""
