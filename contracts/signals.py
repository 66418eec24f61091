"""Signals the contracts app sends (receivers live in the apps above it, e.g. billing)."""

from django.dispatch import Signal

# Sent after the check-in's transaction commits: sender=Contract, contract=<Contract>.
contract_checked_in = Signal()
