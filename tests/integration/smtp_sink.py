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
import ssl
import subprocess
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1 (openssl); (cert, key) paths."""
    cert, key = f"{folder}/smtp-cert.pem", f"{folder}/smtp-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


class Message:
    def __init__(self, mail_from, rcpt_tos, data, tls=False, login=None):
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.data = data  # bytes, as received
        self.tls = tls      # the session had switched to TLS (STARTTLS)
        self.login = login  # the user it authenticated as, if any
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
                                              envelope.original_content or envelope.content,
                                              tls=session.ssl is not None,
                                              login=getattr(session, "amur_login", None)))
            self.sink.cond.notify_all()
        return "250 OK: queued"


class SmtpSink:
    """tls: (cert, key) to offer STARTTLS and require it; login: (user,
    password) to require AUTH (after STARTTLS)."""

    def __init__(self, port=None, tls=None, login=None):
        self.port = port or free_port()
        self.tls = tls
        self.login = login
        self.messages = []
        self.greetings = 0
        self.fail_codes = []  # answers for the next DATA commands, e.g. "451 try later"
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login.decode(), auth_data.password.decode()) == self.login
        if ok:
            session.amur_login = auth_data.login.decode()
        return AuthResult(success=ok)

    def start(self):
        kwargs = {}
        if self.tls:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(*self.tls)
            kwargs.update(tls_context=ctx, require_starttls=True)
        if self.login:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)
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
