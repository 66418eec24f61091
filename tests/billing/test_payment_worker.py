"""A real Celery worker on real Redis, SIGKILLed in the middle of a capture and started again:
the card is captured exactly once.

The fake provider captures, then holds its answer back (the worker is inside the call when it
dies). The message was not acknowledged (acks_late), so Redis hands it to the restarted worker;
the task finds the hold still held, sends the same `capture:<uuid>` key, and the provider answers
with its first result instead of capturing again.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_scopes import scope

from billing.models import DepositDeduction, DepositHold, Payment
from billing.services.holds import hold_capture
from tests.actors import admin_of
from tests.billing.payment_data import (  # noqa: F401  (fixtures)
    all_rows,
    car1,
    contract_a,
    customer_a,
    fresh,
    group_a,
    paid_booking,
    tariff_a,
)

ROOT = Path(__file__).resolve().parents[2]


def _worker(queue: str, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rentoffice.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "STRIPE_API_BASE": settings.STRIPE_API_BASE,
        "CONN_MAX_AGE": "0",
        "STRIPE_TIMEOUT": "120",  # the worker must still be inside the call when it is killed
    }
    command = [
        sys.executable, "-m", "celery", "-A", "tests.billing.worker_app", "worker", "--pool=solo", "-Q", queue,
        "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_during_a_capture_and_restarted_captures_once(org_a, contract_a, fake_stripe, tmp_path):  # noqa: F811
    from rentoffice.celery import app as celery_app

    paid_booking(contract_a)
    [hold] = all_rows(DepositHold, contract=contract_a, state=DepositHold.State.HELD)
    queue = f"bcore-kill-{uuid.uuid4().hex[:10]}"
    log = tmp_path / "worker.log"
    # The fake captures, then keeps the worker waiting for the answer (longer than the test needs).
    fake_stripe.hang_next(f"/v1/payment_intents/{hold.provider_id}/capture", seconds=60, after=True)
    first = _worker(queue, log)
    second = None
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue  # only this test's worker sees this test's tasks
    try:
        with scope(organization=org_a):
            hold_capture(
                actor=admin_of(org_a),
                hold=hold,
                deductions=[(DepositDeduction.Kind.DAMAGE, "Kratzer Stoßstange", Decimal("120.00"), None)],
            )
        _wait(lambda: fake_stripe.intent(hold.provider_id)["status"] == "succeeded", 60, "the capture at the provider")
        assert fresh(hold).state == DepositHold.State.HELD  # the worker is still inside the call
        _kill(first)
        time.sleep(4)  # past the visibility timeout: Redis may hand the message out again
        second = _worker(queue, log)
        _wait(lambda: fresh(hold).state == DepositHold.State.CAPTURED, 90, "the restarted worker's capture")
    finally:
        celery_app.conf.task_default_queue = previous_queue
        _kill(first)
        if second is not None:
            _kill(second)
    hold = fresh(hold)
    assert hold.captured_amount == Decimal("120.00")
    assert [p.amount for p in all_rows(Payment, purpose=Payment.Purpose.DEPOSIT)] == [Decimal("120.00")]
    captures = [
        e for e in fake_stripe.events()
        if e["type"] == "charge.captured" and e["data"]["object"]["payment_intent"] == hold.provider_id
    ]  # fmt: skip
    assert len(captures) == 1, log.read_text()
    # The restarted worker's call was answered with the first result (same key), not refused as a
    # second capture: the killed worker never got an answer, the second got one 200.
    answers = [line for line in log.read_text().splitlines() if "Stripe API response" in line and "/capture" in line]
    assert len(answers) == 1 and "response_code=200" in answers[0], log.read_text()
    assert fake_stripe.intent(hold.provider_id)["amount_received"] == 12000
