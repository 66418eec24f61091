import sys


class SmsBackend:
    """Development: prints the SMS instead of sending it."""

    def send(self, message) -> None:
        sys.stdout.write(f"SMS from {message.sender} to {message.to}:\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()
