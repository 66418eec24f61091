from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import IntegrityError

from rentoffice.models import User
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
        try:
            validate_email(opts["admin_email"])
            if opts["admin_password"]:
                # The same policy as in the browser: a real deployment's first admin is no exception.
                validate_password(opts["admin_password"], User(email=opts["admin_email"], full_name=opts["admin_name"]))
            organization, user = organization_create(
                name=opts["name"],
                slug=opts["slug"],
                operator_code=opts["operator_code"],
                admin_email=opts["admin_email"],
                admin_name=opts["admin_name"],
                admin_password=opts["admin_password"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except IntegrityError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created {organization.name} (/o/{organization.slug}/), admin {user.email}")
        )
