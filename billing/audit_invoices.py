"""Which invoice models the activity log records (django-auditlog).

Invoices are logged so the activity panel of a document shows who drafted, issued and when its
payment status moved; the settings because they decide what every invoice prints. Lines are parts
of the document the services write; an issued document's lines never change.
"""

from auditlog.registry import auditlog

from .models import BillingSettings, Invoice

auditlog.register(BillingSettings, exclude_fields=["organization"])
auditlog.register(
    Invoice,
    exclude_fields=["organization", "created_at", "updated_at", "pdf_generated_at", "email_message", "sender", "uuid"],
)
