"""Demo open items (order 53): filled in once the invoice services exist on this branch."""


def seed_open_items(organizations, stdout) -> None:
    return None
