"""`seed_demo` records protocols through the engine: check-outs with photos and signatures for running
and returned contracts, one check-in with a new damage, PDFs and e-mails — and is idempotent."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from contracts.models import Contract
from protocols.models import Protocol, ProtocolFinding
from rentoffice.models import Organization, OutboundMessage

pytestmark = pytest.mark.django_db


def test_demo_protocols_in_both_organizations_and_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    # Nord's few customers all hold a booking already (its limit is one at a time): koenig has them.
    for slug in ("koenig",):
        org = Organization.objects.get(slug=slug)
        with scope(organization=org):
            submitted = Protocol.objects.filter(status=Protocol.Status.SUBMITTED)
            check_outs = submitted.filter(kind=Protocol.Kind.CHECK_OUT)
            assert check_outs.filter(contract__status=Contract.Status.CHECKED_OUT).count() >= 2, slug
            assert check_outs.filter(contract__status=Contract.Status.CHECKED_IN).exists(), slug
            check_in = submitted.get(kind=Protocol.Kind.CHECK_IN)
            assert check_in.contract.status == Contract.Status.CHECKED_IN
            new = check_in.findings.get(kind=ProtocolFinding.Kind.NEW)
            assert new.new_since_check_out and new.damage.photos.exists()
            for protocol in submitted:
                assert protocol.photos.count() == 6
                assert protocol.signatures.count() == 2
                assert protocol.pdf and protocol.email_message_id
            assert OutboundMessage.objects.filter(template="protocol").count() == submitted.count()
    with scopes_disabled():
        counts = (Protocol.objects.count(), OutboundMessage.objects.filter(template="protocol").count())
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        assert (Protocol.objects.count(), OutboundMessage.objects.filter(template="protocol").count()) == counts
