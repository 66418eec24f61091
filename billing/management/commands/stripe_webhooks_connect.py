from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from billing.provider import PaymentProviderError
from billing.services.webhooks import stripe_webhooks_connect, webhook_url
from rentoffice.models import Organization


class Command(BaseCommand):
    help = "Register this site's webhook endpoint with the payment provider and store its signing secret."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="organizations (default: every active one)")

    def handle(self, *args, slugs, **options):
        with scopes_disabled():
            organizations = Organization.objects.filter(is_active=True).order_by("pk")
            if slugs:
                organizations = organizations.filter(slug__in=slugs)
            organizations = list(organizations)
        if slugs and len(organizations) != len(set(slugs)):
            raise CommandError("unknown or inactive organization")
        for organization in organizations:
            try:
                with scope(organization=organization):
                    stripe_webhooks_connect(organization=organization)
            except PaymentProviderError as exc:
                self.stderr.write(f"{organization.slug}: {exc}")
                continue
            self.stdout.write(f"{organization.slug}: {webhook_url(organization)}")
