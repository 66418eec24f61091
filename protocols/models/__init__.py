from .protocols import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature
from .types import ProtocolKind, ProtocolSettings, ProtocolType, Register

__all__ = [
    "Protocol",
    "ProtocolFinding",
    "ProtocolKind",
    "ProtocolPhoto",
    "ProtocolSettings",
    "ProtocolSignature",
    "ProtocolType",
    "Register",
]
