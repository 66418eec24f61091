"""GDPR deletion routine: report (with --dry-run) or anonymise inactive customers."""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from rentoffice.models import Organization

from ...services import deletion_routine


class Command(BaseCommand):
    help = "Anonymise customers inactive for the organization's configured period (use --dry-run first)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only report what would be anonymised.")
        parser.add_argument("--organization", help="Slug of one organization (default: all).")

    def handle(self, *args, dry_run=False, organization=None, **options):
        orgs = Organization.objects.filter(is_active=True)
        if organization:
            orgs = orgs.filter(slug=organization)
            if not orgs:
                raise CommandError(f"unknown organization {organization}")
        for org in orgs:
            with scope(organization=org):  # each organization in its own scope, as the daily task runs
                report = deletion_routine(organization=org, dry_run=dry_run)
                verb = "would anonymise" if dry_run else "anonymised"
                self.stdout.write(f"{org.slug}: {verb} {len(report.candidates)}, skipped {len(report.skipped)}")
                for customer in report.candidates:
                    self.stdout.write(f"  {verb}: {customer.number} {customer.display_name}")
                for customer, reasons in report.skipped:
                    self.stdout.write(f"  skipped: {customer.number} {customer.display_name}: {'; '.join(reasons)}")
