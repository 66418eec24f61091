"""Record kinds: how to load a record of a kind for a membership (scoped, 404 for outsiders).

Cross-cutting pages (activity "show all", messages) take a kind and an id; each app registers its
record kinds with the selector that scopes them, so those pages never load objects unscoped.
"""

from collections.abc import Callable

_getters: dict[str, Callable] = {}


def register(kind: str, getter: Callable) -> None:
    """getter(membership=..., pk=...) returns the object or raises Http404."""
    _getters[kind] = getter


def get(kind: str, *, membership, pk: int):
    return _getters[kind](membership=membership, pk=pk)


def kind_of(model) -> str | None:
    """The registered kind of a model's records (its `record_kind`, else its model name), or None."""
    kind = getattr(model, "record_kind", model._meta.model_name)
    return kind if kind in _getters else None
