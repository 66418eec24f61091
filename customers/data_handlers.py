"""Who handles a customer's rows in a merge and in a GDPR export: every app, for its own rows.

Nothing rewrites foreign keys generically. Each app whose models point to `Customer` registers a
`CustomerDataHandler` in its `AppConfig.ready()` naming those models:

- `merge_refusal(*, survivor, other) -> str | None`: a reason why the two customers cannot be
  merged (an invoice that must keep its customer); every refusal is collected before anything is
  written, so a refused merge changes nothing.
- `merge(*, survivor, other) -> int`: moves the app's rows from `other` to `survivor` through the
  app's own services (with their rules and activity log) and returns how many moved. Leave it out
  to **keep** the rows where they are; they then go the way of their foreign key's `on_delete`
  when the other customer is removed (PROTECT refuses the merge, so say why with `merge_refusal`).
- `export(*, customer) -> ExportPart`: the rows (already serialised, secrets left out) and stored
  files the app holds about the customer, and one sentence saying what they are.

A merge refuses, and `tests/customers/test_data_handlers.py` fails, while any relation to
`Customer` has no handler, so a new model with a customer key cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


@dataclass
class ExportPart:
    description: str
    rows: list[dict] = field(default_factory=list)
    # (name inside the archive under files/, name in the default storage)
    files: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerDataHandler:
    key: str
    models: tuple[type[models.Model], ...]
    export: Callable[..., ExportPart]
    merge: Callable[..., int] | None = None
    merge_refusal: Callable[..., str | None] | None = None
    order: int = 100


_handlers: dict[str, CustomerDataHandler] = {}


def register(handler: CustomerDataHandler, *, replaces: bool = False) -> None:
    if handler.key in _handlers and not replaces:
        raise ValueError(f"a customer data handler {handler.key!r} is already registered (pass replaces=True)")
    _handlers[handler.key] = handler


def unregister(key: str) -> CustomerDataHandler:
    return _handlers.pop(key)


def handlers() -> list[CustomerDataHandler]:
    return sorted(_handlers.values(), key=lambda h: (h.order, h.key))


def unhandled_relations() -> list[str]:
    """Models pointing to Customer (FK, one-to-one or many-to-many from their side) without a handler."""
    from .models import Customer

    handled = {model for handler in _handlers.values() for model in handler.models}
    return sorted(
        rel.related_model._meta.label for rel in Customer._meta.related_objects if rel.related_model not in handled
    )
