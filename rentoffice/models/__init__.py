from .organizations import NumberSequence, Organization
from .outbox import MessageTemplate, OutboundMessage
from .stations import Brand, OpeningException, OpeningHours, Region, Station
from .users import DefaultGrant, Membership, Role, User

__all__ = [
    "Brand",
    "DefaultGrant",
    "Membership",
    "MessageTemplate",
    "NumberSequence",
    "OpeningException",
    "OpeningHours",
    "Organization",
    "OutboundMessage",
    "Region",
    "Role",
    "Station",
    "User",
]
