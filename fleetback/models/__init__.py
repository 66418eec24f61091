from .cases import Case, CaseEvent, Contact, Language, Recipient, WorkItem
from .config import Checklist, ChecklistItem, PredefinedMessage
from .media import Attachment, MediaLimits, Medium

__all__ = [
    "Attachment",
    "Case",
    "CaseEvent",
    "Checklist",
    "ChecklistItem",
    "Contact",
    "Language",
    "MediaLimits",
    "Medium",
    "PredefinedMessage",
    "Recipient",
    "WorkItem",
]
