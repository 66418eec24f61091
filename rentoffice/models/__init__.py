from .organizations import NumberSequence, Organization
from .outbox import MessageTemplate, OutboundMessage
from .stations import OpeningException, OpeningHours, Region, Station
from .users import Membership, Role, User

__all__ = [
    "MessageTemplate",
    "Membership",
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
