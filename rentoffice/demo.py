"""Demo data registry: each app contributes a seeder; `manage.py seed_demo` runs them in order."""

from collections.abc import Callable

_seeders: list[tuple[int, str, Callable]] = []

DEMO_PASSWORD = "Demo-2026!"  # noqa: S105  (the demo accounts' published password, see README)


def register(order: int, name: str, seeder: Callable) -> None:
    """seeder(organizations: dict[str, Organization], stdout) must be idempotent."""
    _seeders.append((order, name, seeder))


def seeders() -> list[tuple[int, str, Callable]]:
    return sorted(_seeders, key=lambda s: s[0])
