"""The one "veto with a reason" mechanism lower apps use to ask higher apps (rentoffice.vetoes)."""

import pytest
from django.core.exceptions import ValidationError

from rentoffice.vetoes import Veto


def test_every_objection_is_collected_in_order_and_none_means_go():
    veto = Veto("test.thing_deletion")
    assert veto.reasons(thing="x") == [] and veto.check(thing="x") is None

    def still_rented(*, thing):
        return f"{thing} is still rented." if thing == "car" else None

    veto.register(still_rented)
    veto.register(still_rented)  # registering twice (a module imported twice) asks once
    veto.register(lambda *, thing: "Open invoice." if thing == "car" else "")
    assert veto.reasons(thing="bike") == []
    assert veto.reasons(thing="car") == ["car is still rented.", "Open invoice."]
    with pytest.raises(ValidationError) as refused:
        veto.check(thing="car")
    assert refused.value.messages == ["car is still rented.", "Open invoice."]

    veto.unregister(still_rented)
    assert veto.reasons(thing="car") == ["Open invoice."]


def test_the_apps_questions_are_vetoes():
    from customers.receivers import keep_groups_named_in_booking_permissions
    from customers.signals import customer_deletion
    from vehicles.signals import vehicle_group_deletion

    assert isinstance(customer_deletion, Veto) and isinstance(vehicle_group_deletion, Veto)
    assert keep_groups_named_in_booking_permissions in vehicle_group_deletion._checks
