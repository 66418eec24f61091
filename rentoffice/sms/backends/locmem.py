from rentoffice import sms


class SmsBackend:
    """Tests: keeps sent SMS in rentoffice.sms.outbox."""

    def send(self, message) -> None:
        sms.outbox.append(message)
