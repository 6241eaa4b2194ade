"""A throwaway Dovecot IMAP server for the tests and the benchmark.

Debian's dovecot-imapd (2.3), started in the foreground with a configuration of its own (never
/etc/dovecot) in a temporary folder that also holds its sockets, state, log and the maildir of
its one user. It listens on two free ports of 127.0.0.1: plain IMAP, and IMAP over TLS with a
certificate made for it (openssl) that nothing trusts unless told to. As root, Dovecot runs its
login processes as dovenull and the rest, mail included, as dovecot: the folder is theirs to read.
"""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import quote

from mailin.imap import quoted

DOVECOT = Path("/usr/sbin/dovecot")
USER = "portal"
# Characters a URL must percent-encode, so the tests show MAIL_IN_URL is decoded.
PASSWORD = "p@ss/w0rd %42"
START_SECONDS = 20


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configuration(directory, imap_port, imaps_port, mail_user, login_user, group):
    return textwrap.dedent(f"""\
        base_dir = {directory}/run
        state_dir = {directory}/state
        log_path = {directory}/dovecot.log
        listen = 127.0.0.1
        protocols = imap
        ssl = yes
        ssl_cert = <{directory}/cert.pem
        ssl_key = <{directory}/key.pem
        disable_plaintext_auth = no
        auth_mechanisms = plain login
        default_login_user = {login_user}
        default_internal_user = {mail_user}
        default_internal_group = {group}
        # The mail runs as a system user (dovecot when root): allow its low uid.
        first_valid_uid = 1
        passdb {{
          driver = passwd-file
          args = scheme=PLAIN username_format=%u {directory}/passwd
        }}
        userdb {{
          driver = static
          args = uid={mail_user} gid={group} home={directory}/home/%u
        }}
        mail_location = maildir:~/Maildir
        # Access rights per folder (a dovecot-acl file in it), so a test can take some away.
        mail_plugins = acl
        plugin {{
          acl = vfile
        }}
        service imap-login {{
          inet_listener imap {{
            address = 127.0.0.1
            port = {imap_port}
          }}
          inet_listener imaps {{
            address = 127.0.0.1
            port = {imaps_port}
          }}
        }}
        """)


# Only root may chroot (Dovecot's login and anvil processes do by default).
WITHOUT_CHROOT = textwrap.dedent("""\
    service imap-login {
      chroot =
    }
    service anvil {
      chroot =
    }
    """)


class Dovecot:
    """A Dovecot server of its own, with one user (USER, PASSWORD) and a maildir."""

    def __init__(self):
        self.process = None
        self.directory = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.imap_port, self.imaps_port = free_port(), free_port()
        self.certificate = self.directory / "cert.pem"

    def start(self):
        version = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True, check=True).stdout
        if not version.startswith("2.3."):
            raise RuntimeError(f"tests/mailin/dovecot.py configures Dovecot 2.3 (Debian 12); this is {version}")
        root = os.geteuid() == 0
        mail_user = "dovecot" if root else pwd.getpwuid(os.geteuid()).pw_name
        group = "dovecot" if root else grp.getgrgid(os.getegid()).gr_name
        self.directory.chmod(0o755)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", self.directory / "key.pem", "-out", self.certificate],
            check=True, capture_output=True,
        )
        (self.directory / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        (self.directory / "home").mkdir()
        if root:
            shutil.chown(self.directory / "home", mail_user, mail_user)
        conf = self.directory / "dovecot.conf"
        conf.write_text(configuration(self.directory, self.imap_port, self.imaps_port, mail_user,
                                      "dovenull" if root else mail_user, group) + ("" if root else WITHOUT_CHROOT))
        with (self.directory / "stderr.log").open("w") as stderr:
            self.process = subprocess.Popen([DOVECOT, "-F", "-c", conf], stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + START_SECONDS
        while not self._listening():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop(keep=True)
                raise RuntimeError(f"Dovecot did not start; see {self.directory}:\n{self.log()}")
            time.sleep(0.05)
        return self

    def _listening(self):
        try:
            with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1) as connection:
                return connection.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def log(self):
        return "\n".join(path.read_text() for path in (self.directory / "stderr.log", self.directory / "dovecot.log")
                         if path.exists())

    def stop(self, keep=False):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if not keep:
            shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, folder="INBOX", *, tls=False, password=PASSWORD):
        """Return the MAIL_IN_URL of ``folder`` (imap://, or imaps:// on the TLS port)."""
        scheme, port = ("imaps", self.imaps_port) if tls else ("imap", self.imap_port)
        return f"{scheme}://{USER}:{quote(password, safe='')}@127.0.0.1:{port}/{quote(folder)}"

    def login(self):
        connection = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30)
        connection.login(USER, PASSWORD)
        return connection

    def create_folder(self, folder):
        connection = self.login()
        try:
            typ, data = connection.create(quoted(folder))
            assert typ == "OK", data
        finally:
            connection.logout()
        return Folder(self, folder)


class Folder:
    """One folder of the server's mailbox, for putting messages in and reading their flags."""

    def __init__(self, server, name):
        self.server, self.name = server, name

    def url(self, **options):
        return self.server.url(self.name, **options)

    def append(self, message, *, arrived_at):
        """Put ``message`` (bytes) in, received at ``arrived_at`` (its INTERNALDATE); return its UID."""
        return self.append_all([message], arrived_at=arrived_at)[0]

    def append_all(self, messages, *, arrived_at):
        """Put each of ``messages`` in, in one session, received at ``arrived_at``; return their UIDs."""
        connection = self.server.login()
        try:
            uids = []
            for message in messages:
                typ, data = connection.append(quoted(self.name), "", arrived_at, message)
                assert typ == "OK", data
                # [APPENDUID <uidvalidity> <uid>]
                uids.append(int(data[0].split(b"APPENDUID ", 1)[1].split(b"]", 1)[0].split()[1]))
            return uids
        finally:
            connection.logout()

    def uidvalidity(self):
        connection = self.server.login()
        try:
            typ, data = connection.status(quoted(self.name), "(UIDVALIDITY)")
            assert typ == "OK", data
            return int(data[0].split(b"UIDVALIDITY ", 1)[1].rstrip(b")"))
        finally:
            connection.logout()

    def forbid_keywords(self):
        """Take away the user's right to set keywords in this folder (it may still read, mark seen, add)."""
        (self.maildir() / "dovecot-acl").write_text("owner lrsi\n")

    def maildir(self):
        return self.server.directory / "home" / USER / "Maildir" / f".{self.name}"

    def file_containing(self, text):
        """Return the file in which Dovecot keeps the folder's message containing ``text`` (bytes)."""
        return next(path for path in self.maildir().glob("*/*") if path.parent.name in ("cur", "new")
                    and text in path.read_bytes())

    def flags(self):
        """Return {uid: set of flags} for every message in the folder (but the session's \\Recent)."""
        connection = self.server.login()
        try:
            connection.select(quoted(self.name), readonly=True)
            typ, data = connection.uid("FETCH", "1:*", "(UID FLAGS)")
            assert typ == "OK", data
            found = {}
            for item in data:
                if item:
                    uid = int(item.split(b"UID ", 1)[1].split()[0].rstrip(b")"))
                    flags = item.split(b"FLAGS (", 1)[1].split(b")", 1)[0].decode()
                    found[uid] = set(flags.split()) - {"\\Recent"}
            return found
        finally:
            connection.logout()
