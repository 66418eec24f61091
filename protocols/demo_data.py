"""Demo protocols (filled in once the capture services are merged)."""


def seed_protocols(organizations, stdout) -> None:
    return None
