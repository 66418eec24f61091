from rentoffice import sms

# Tests read sent SMS here, like django.core.mail.outbox.
sms.outbox = []


class SmsBackend:
    def send(self, message) -> None:
        sms.outbox.append(message)
