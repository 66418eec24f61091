from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from rentoffice.services import organization_create


class Command(BaseCommand):
    help = "Create an organization (tenant) with its default roles and first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--operator-code", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--admin-password", help="Leave out to set it later via 'password reset'.")

    def handle(self, *args, **opts):
        from django.core.exceptions import ValidationError

        try:
            organization, user = organization_create(
                name=opts["name"],
                slug=opts["slug"],
                operator_code=opts["operator_code"],
                admin_email=opts["admin_email"],
                admin_name=opts["admin_name"],
                admin_password=opts["admin_password"],
            )
        except (ValidationError, IntegrityError) as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            self.style.SUCCESS(f"Created {organization.name} (/o/{organization.slug}/), admin {user.email}")
        )
