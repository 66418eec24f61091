from .urls_invoices import urlpatterns as invoice_patterns
from .urls_open_items import urlpatterns as open_item_patterns
from .urls_payments import urlpatterns as payment_patterns
from .urls_settlement import urlpatterns as settlement_patterns

app_name = "billing"

# One module per topic, each owned by one author (see docs/billing.md).
urlpatterns = [*invoice_patterns, *payment_patterns, *settlement_patterns, *open_item_patterns]
