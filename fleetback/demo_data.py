def seed(organizations, stdout) -> None:
    return None
