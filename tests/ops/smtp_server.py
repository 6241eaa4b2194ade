"""Minimal SMTP servers for fault tests: they accept, refuse, stall or never answer, as the test says.

Python 3.11's ``smtpd`` is deprecated; this speaks just enough SMTP for Django's SMTP
backend (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH), on a thread, on a free
port of 127.0.0.1, so another process (a Celery worker) can send to it too.
"""

import email
import socket
import socketserver
import threading
import time

ACCEPT = "250 2.0.0 Queued"
REFUSE = "554 5.7.1 Message refused"
TRY_LATER = "451 4.3.0 Try again later"
# Read the whole message, then never answer: the client waits until its timeout.
STALL = None


class Received:
    """A message whose DATA reached the server, and the reply it got (None: it stalled)."""

    def __init__(self, raw, reply):
        self.raw, self.reply = raw, reply
        self.message = email.message_from_bytes(raw)

    @property
    def accepted(self):
        return self.reply is not None and self.reply.startswith("250")

    @property
    def message_id(self):
        return self.message["Message-ID"]


class SMTPServer:
    """Answer every message's DATA with ``reply`` (one of the constants above); record all.

    Change ``reply`` at any time: it applies to the next message that ends its DATA.
    """

    def __init__(self, reply=ACCEPT, delay=0):
        self.reply = reply
        # Seconds to wait before answering a message's DATA, as a slow server would.
        self.delay = delay
        self.received = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def accepted(self):
        """Return the messages the server accepted."""
        return [item for item in self.received if item.accepted]

    def wait_for(self, count, timeout=30):
        """Wait until ``count`` messages' DATA reached the server; return whether they did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return True
            time.sleep(0.05)
        return False

    def _record(self, raw):
        with self._lock:
            reply = self.reply
            self.received.append(Received(raw, reply))
        return reply

    def _handler_class(self):
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self):
                self.reply("220 fault-test ESMTP")
                while line := self.rfile.readline():
                    verb = line[:4].decode("ascii", "replace").upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-fault-test\r\n250 8BITMIME\r\n")
                    elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                        self.reply("250 2.0.0 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        raw = self.read_data()
                        time.sleep(server.delay)
                        answer = server._record(raw)
                        if answer is STALL:
                            server._release.wait(120)
                            return
                        self.reply(answer)
                    elif verb == "QUIT":
                        self.reply("221 2.0.0 Bye")
                        return
                    else:
                        self.reply("502 5.5.2 Command not recognised")

            def read_data(self):
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                return b"".join(lines)

        return Handler


class SilentServer:
    """A server that accepts connections and never says a word (not even its greeting).

    The honest way to test a hanging mail server: the client connects at once, then waits.
    """

    def __init__(self):
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.connections = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._socket.close()
        for conn in self.connections:
            conn.close()

    def _accept(self):
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            self.connections.append(conn)
