"""Billing's fixtures: the fake Stripe server's control API."""

import pytest

from fakestripe.testing import Control


@pytest.fixture
def fake_stripe(_fake_stripe_server):
    """Control of the fake Stripe server (fail_next, hang_next, advance, events, signed_event, intent).

    Each organization is its own fake account (`fake_<pk>`), so tests never see each other's
    objects; failures injected by a test are cleared after it.
    """
    control = Control(_fake_stripe_server)
    yield control
    control.clear_failures()
