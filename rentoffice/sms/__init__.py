"""Pluggable SMS sending, shaped like django.core.mail: settings.SMS_BACKEND picks the backend."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

# Messages "sent" by the locmem backend (tests), like django.core.mail.outbox.
outbox: list = []


@dataclass
class SmsMessage:
    to: str
    body: str
    sender: str = ""


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> None:
    get_backend().send(SmsMessage(to=to, body=body, sender=settings.SMS_SENDER))
