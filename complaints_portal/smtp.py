"""Django's SMTP backend, with a short timeout for connecting and a longer one for sending."""

from django.conf import settings
from django.core.mail.backends import smtp


class EmailBackend(smtp.EmailBackend):
    """Connect, greet, start TLS and log in within EMAIL_CONNECT_TIMEOUT, then send within
    EMAIL_TIMEOUT.

    A server that accepts connections and never answers then costs a few seconds a
    message, while a message with PDFs attached still has the longer time to go through.
    """

    def open(self):
        send_timeout = self.timeout
        self.timeout = settings.EMAIL_CONNECT_TIMEOUT
        try:
            opened = super().open()
        finally:
            self.timeout = send_timeout
        if self.connection is not None and self.connection.sock is not None:
            self.connection.sock.settimeout(send_timeout)
            self.connection.timeout = send_timeout
        return opened
