"""PLACEHOLDER (pengine): ppdf replaces this module with the real delivery (PDF once, then the e-mail once).

It exists only so that `protocols.tasks.protocol_deliver`, enqueued by `protocol_submit`, imports.
"""

from __future__ import annotations

from ..models import Protocol


def protocol_deliver(*, protocol: Protocol) -> None:
    """No-op until ppdf's delivery lands."""
    return None
