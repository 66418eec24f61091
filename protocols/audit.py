"""Which protocol models the activity log records (django-auditlog).

Types and settings are configuration people change; protocols are logged so the activity panel of
a protocol shows who recorded and submitted it. Photos, findings and signatures are parts of the
protocol the services write; their rows carry who and when themselves.
"""

from auditlog.registry import auditlog

from .models import Protocol, ProtocolSettings, ProtocolType

auditlog.register(ProtocolType, exclude_fields=["organization", "created_at", "updated_at"])
auditlog.register(ProtocolSettings, exclude_fields=["organization"])
auditlog.register(
    Protocol,
    exclude_fields=["organization", "created_at", "updated_at", "started_at", "pdf_generated_at", "email_message"],
)
