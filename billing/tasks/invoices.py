"""Celery tasks of billing: invoices (thin adapters that load by id and call a service)."""
