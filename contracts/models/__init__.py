from .contracts import (
    Contract,
    ContractDriver,
    ContractExtra,
    ContractLine,
    ContractNote,
    ContractSettings,
    GroupBuffer,
    Occupation,
    VehicleBlock,
)
from .tariffs import Extra, Tariff

__all__ = [
    "Contract",
    "ContractDriver",
    "ContractExtra",
    "ContractLine",
    "ContractNote",
    "ContractSettings",
    "Extra",
    "GroupBuffer",
    "Occupation",
    "Tariff",
    "VehicleBlock",
]
