def seed_fleetback(organizations, stdout) -> None:
    """Filled in fleetback/demo_data.py."""
    from .demo_data import seed

    seed(organizations, stdout)
