"""A real SMTP server on loopback for the notification tests: aiosmtpd
(Debian's python3-aiosmtpd) in a thread, keeping every message it accepts.

It can be stopped and started again on the same port (a mail-server outage),
told to answer the next messages with a temporary (4xx) or permanent (5xx)
failure, and counts connections (EHLO/HELO greetings), so that a test sees
whether the sender reused one connection for many messages.
"""

import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Message:
    def __init__(self, mail_from, rcpt_tos, data):
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.data = data  # bytes, as received
        self.parsed = email.message_from_bytes(data, policy=email.policy.default)

    def header(self, name):
        return self.parsed[name]

    def part(self, subtype):
        """The decoded text of the text/<subtype> part."""
        for p in self.parsed.walk():
            if p.get_content_type() == "text/" + subtype:
                return p.get_content()
        return None

    def __repr__(self):
        return f"<Message to {self.rcpt_tos} subject {self.header('Subject')!r}>"


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.sink.lock:
            self.sink.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            if self.sink.fail_codes:
                return self.sink.fail_codes.pop(0)
            self.sink.messages.append(Message(envelope.mail_from, envelope.rcpt_tos,
                                              envelope.original_content or envelope.content))
            self.sink.cond.notify_all()
        return "250 OK: queued"


class SmtpSink:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.greetings = 0
        self.fail_codes = []  # answers for the next DATA commands, e.g. "451 try later"
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.controller = None

    def start(self):
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def wait_for(self, address, count=1, timeout=20.0):
        """Waits until `address` has at least `count` messages; returns them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [m for m in self.messages if address in m.rcpt_tos]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} message(s) to {address} within {timeout}s, got "
                        f"{len(got)}: {got}")
                self.cond.wait(left)
