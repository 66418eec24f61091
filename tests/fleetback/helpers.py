"""Building cases for tests through the services, as the back office does."""

from decimal import Decimal

from fleetback.services.cases import CaseFields, ContactFields, ItemFields, case_create
from rentoffice.models import Brand
from rentoffice.services import station_brands_set
from tests.actors import admin_of
from tests.conftest import data_helper

ITEMS = (
    ItemFields(title="Bremsbeläge vorne", urgency="urgent", price=Decimal("249.90")),
    ItemFields(title="Wischerblätter", urgency="recommended", price=Decimal("39.00")),
    ItemFields(title="Klimaservice", urgency="recommended", price=Decimal("100.00"), price_includes_vat=False),
    ItemFields(title="Reifenprofil", urgency="ok"),
)


@data_helper
def brand_of(station, name: str = "VW") -> Brand:
    brand = Brand.objects.filter(station=station, name=name).first()
    if brand is None:
        names = [b.name for b in Brand.objects.filter(station=station)] + [name]
        station_brands_set(station=station, names=names)
        brand = Brand.objects.get(station=station, name=name)
    return brand


@data_helper
def make_case(
    *,
    org,
    station,
    brand: str = "VW",
    actor=None,
    mode: str = "after_sales",
    module: str = "mechanics",
    reference: str = "RO-1001",
    items=ITEMS,
    email: str = "kunde@example.com",
    phone: str = "+4915112345678",
    language: str = "de",
    **extra,
):
    data = CaseFields(
        station=station,
        brand=brand_of(station, brand),
        mode=mode,
        module=module,
        reference=reference,
        contact=ContactFields(
            salutation="ms", last_name="Kundin", first_name="Karla", email=email, phone=phone, language=language
        ),
        items=items,
        **extra,
    )
    return case_create(actor=actor or admin_of(org), data=data)
