#!/usr/bin/env python
"""The daily licence-check escalation job over the generated customers (bench/customers_generate.py).

    export DATABASE_URL=postgres://postgres@127.0.0.1:54329/rentoffice_bench_licence
    .venv/bin/python bench/customers_generate.py --count 1000000 --setup
    .venv/bin/python bench/licence_check.py --prepare      # licence data + yesterday's escalations
    .venv/bin/python bench/licence_check.py                # measure

`--prepare` gives every 5th customer a check interval (6, 12 or 24 months) and a last check spread
over the past 1,000 days, then records the escalations earlier days' runs would have sent, so the
measured run is an ordinary day: only customers who reach a step today get e-mails. Each measured
run happens in a transaction that is rolled back (nothing is sent, the next round sees the same
day). The old job (every customer with an interval loaded into Python) is measured for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
print = functools.partial(print, flush=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")


class Rollback(Exception):
    pass


def prepare(org, today: dt.date) -> None:
    from django.db import connection

    from customers.models import LicenceEscalation
    from customers.selectors import settings_for
    from customers.services.licence import _escalation_candidates

    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM customers_licenceescalation WHERE organization_id = %s", [org.pk])
        cur.execute(
            """UPDATE customers_customer SET
                 licence_check_interval_months = CASE WHEN id %% 5 = 0 THEN (ARRAY[6, 12, 24])[id %% 3 + 1] END,
                 licence_checked_at = CASE WHEN id %% 5 = 0 THEN %s::date - ((id * 7919) %% 1000)::int END
               WHERE organization_id = %s""",
            [today, org.pk],
        )
        cur.execute("ANALYZE customers_customer")
    print(f"licence data set in {time.monotonic() - t0:.1f}s")
    steps = settings_for(organization=org).escalation_steps()
    yesterday = today - dt.timedelta(days=1)
    rows = _escalation_candidates(organization=org, today=yesterday, steps=steps).values_list(
        "pk", "licence_due_on", "reached_step"
    )
    batch = [
        LicenceEscalation(organization=org, customer_id=pk, due_on=due_on, step=step)
        for pk, due_on, step in rows.iterator(chunk_size=10_000)
    ]
    LicenceEscalation.objects.bulk_create(batch, batch_size=5_000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE customers_licenceescalation")
    print(f"{len(batch)} earlier escalations recorded in {time.monotonic() - t0:.1f}s")


def old_walk(org, today: dt.date, steps: list[int]) -> int:
    """The job before issue 8 (customers/services/licence.py at d041ad5), without sending: every
    customer with an interval becomes a Python object and the due date is computed in Python."""
    from customers.models import Customer, LicenceEscalation

    customers = Customer.objects.filter(
        organization=org, licence_check_interval_months__isnull=False, anonymised_at__isnull=True
    ).select_related("organization")
    done: dict = {}
    for row in LicenceEscalation.objects.filter(organization=org).values("customer_id", "due_on", "step"):
        key = (row["customer_id"], row["due_on"])
        done[key] = max(done.get(key, 0), row["step"])
    due = 0
    for customer in customers:
        due_on = customer.licence_check_due_on
        if due_on is None or due_on > today:
            continue
        step = sum(1 for days in steps if (today - due_on).days >= days)
        if step and done.get((customer.pk, due_on), 0) < step:
            due += 1
    return due


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scope

    from customers.models import Customer, LicenceEscalation
    from customers.selectors import settings_for
    from customers.services import licence_escalations_run
    from customers.services.licence import _escalation_candidates
    from rentoffice.models import Organization, OutboundMessage

    org = Organization.objects.get(slug="bench")
    today = timezone.localdate()
    with scope(organization=org):
        if args.prepare:
            prepare(org, today)
        steps = settings_for(organization=org).escalation_steps()
        total = Customer.objects.count()
        with_check = Customer.objects.filter(licence_check_interval_months__gt=0).count()
        recorded = LicenceEscalation.objects.count()
        print(f"{total} customers, {with_check} with a periodic check, {recorded} escalations recorded, steps {steps}")

        t0 = time.monotonic()
        due = _escalation_candidates(organization=org, today=today, steps=steps).count()
        print(f"new: candidates in SQL ({due})            {1000 * (time.monotonic() - t0):8.0f} ms")

        t0 = time.monotonic()
        old_due = old_walk(org, today, steps)
        print(f"old: Python walk of every customer ({old_due})  {1000 * (time.monotonic() - t0):8.0f} ms")
        assert old_due == due, "the SQL rule and the Python rule disagree"

        times, sent, queries = [], 0, 0
        for _ in range(args.rounds):
            before = len(connection.queries)
            connection.force_debug_cursor = True
            t0 = time.monotonic()
            try:
                with transaction.atomic():
                    sent = licence_escalations_run(organization=org, today=today)
                    messages = OutboundMessage.objects.filter(template__startswith="customer_licence").count()
                    raise Rollback
            except Rollback:
                pass
            times.append(time.monotonic() - t0)
            queries = len(connection.queries) - before
            connection.force_debug_cursor = False
        print(
            f"new: whole daily run, {sent} escalations / {messages} e-mails queued, {queries} queries: "
            f"median {statistics.median(times):.2f} s (rounds: {', '.join(f'{t:.2f}' for t in times)})"
        )


if __name__ == "__main__":
    main()
