"""Changes to contacts (personal data) are in the activity log; a case's own history is CaseEvent."""

from auditlog.registry import auditlog

from .models import Contact

auditlog.register(Contact)
