from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Extensions later apps rely on: trigram search, exclusion constraints, accent folding."""

    dependencies = [("rentoffice", "0002_seed_default_roles")]
    operations = [TrigramExtension(), BtreeGistExtension(), UnaccentExtension()]
