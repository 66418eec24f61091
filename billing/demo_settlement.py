def seed_settlements(organizations, stdout):
    pass
