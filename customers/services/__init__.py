"""Use cases of the customers app (see the topic modules)."""

from .actions import (
    customer_block,
    customer_copy,
    customer_delete,
    customer_terminate,
    customer_time_limit,
    customer_unlock,
    deletion_refusals,
)
from .attributes import attribute_delete, attribute_rename
from .core import CardRow, attribute_create, customer_save, search_text_refresh, settings_save
from .gdpr import customer_anonymise, customer_export, deletion_routine
from .licence import licence_checked, licence_escalations_run
from .merge import customer_merge, differing_fields

__all__ = [
    "CardRow",
    "attribute_create",
    "attribute_delete",
    "attribute_rename",
    "customer_anonymise",
    "customer_block",
    "customer_copy",
    "customer_delete",
    "customer_export",
    "customer_merge",
    "customer_save",
    "customer_terminate",
    "customer_time_limit",
    "customer_unlock",
    "deletion_refusals",
    "deletion_routine",
    "differing_fields",
    "licence_checked",
    "licence_escalations_run",
    "search_text_refresh",
    "settings_save",
]
