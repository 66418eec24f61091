from .protocols import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature
from .types import ProtocolSettings, ProtocolType, Register

__all__ = [
    "Protocol",
    "ProtocolFinding",
    "ProtocolPhoto",
    "ProtocolSettings",
    "ProtocolSignature",
    "ProtocolType",
    "Register",
]
