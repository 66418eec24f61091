"""Demo: the built-in protocol types in the demo organizations (idempotent; before ppdf's protocols at 45)."""

from django_scopes import scope

from .services.types import builtin_types_ensure


def seed_types(organizations, stdout) -> None:
    for organization in organizations.values():
        with scope(organization=organization):
            builtin_types_ensure(organization=organization)
