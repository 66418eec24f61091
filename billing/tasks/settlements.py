"""Celery tasks of billing: settlements (thin adapters that load by id and call a service)."""
