"""Record kinds: how to load a record of a kind for a membership (scoped, 404 for outsiders).

Cross-cutting pages (activity "show all", messages) take a kind and an id; each app registers its
record kinds with the selector that scopes them, so those pages never load objects unscoped.

Each kind also says who may see the record (`permission`): the permission string its own page
requires, or a check `(membership, obj) -> bool` when that page decides per object (a station lead
may open one station). The activity and message pages of a record require it on top of their own
permission, so a record's log is never more open than the record.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordKind:
    getter: Callable
    permission: str | Callable[..., bool]


_kinds: dict[str, RecordKind] = {}
# Kept for code that lists the kinds (the outsider walker expands `<kind>` URLs over these).
_getters: dict[str, Callable] = {}


def register(kind: str, getter: Callable, *, permission: str | Callable[..., bool]) -> None:
    """getter(membership=..., pk=...) returns the object or raises Http404.

    permission: what a member needs to see the record itself (see the module doc).
    """
    _kinds[kind] = RecordKind(getter, permission)
    _getters[kind] = getter


def get(kind: str, *, membership, pk: int):
    return _kinds[kind].getter(membership=membership, pk=pk)


def may_view(kind: str, *, membership, obj) -> bool:
    """Whether the member may see the record itself (the same rule as the record's own page)."""
    permission = _kinds[kind].permission
    if callable(permission):
        return bool(permission(membership, obj))
    return membership.has_perm(permission)


def kind_of(model) -> str | None:
    """The registered kind of a model's records (its `record_kind`, else its model name), or None."""
    kind = getattr(model, "record_kind", model._meta.model_name)
    return kind if kind in _kinds else None
