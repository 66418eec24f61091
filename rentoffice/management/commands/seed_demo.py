from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from rentoffice.demo import seeders


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it again changes nothing)."

    def handle(self, *args, **opts):
        organizations: dict = {}
        with scopes_disabled():
            for _order, name, seeder in seeders():
                with transaction.atomic():
                    seeder(organizations, self.stdout)
                self.stdout.write(f"demo: {name} ready")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
