"""Use cases of the rental core: one keyword-only function per use case (see docs/contracts.md)."""
