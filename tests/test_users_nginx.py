"""User names and nginx: every name the users command accepts is one Debian's nginx reads exactly.

nginx's map reads a key starting with ``~`` as a regular expression, takes ``default``,
``include``, ``hostnames`` and ``volatile`` as its own keywords, ignores case, and loses its
quoting at a backslash or a quote. These tests run ``python -m service.users`` as the project
office does, then ``nginx -t`` and Debian's nginx itself on the service's site
(``service.config.nginx_site``), with two stand-in webservers that answer which of them a
request reached (the analysts' full UI or the finance officers' read-only one). The service
test (tests/test_service.py) does the same behind the real Dagster webservers for two users.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import fields
from pathlib import Path

import pytest

from glue.resources import PROJECT_ROOT
from service.processes import (
    nginx_command,
    nginx_config_test,
    self_signed_certificate,
    wait_for_port,
    write_nginx_config,
)
from service.topology import Ports, local_site
from service.users import ANALYSTS, FINANCE_OFFICERS, add_user, password_hash, read_users
from tests.network import free_port

PASSWORD = "a-long-password-1"
# Names the rule allows that a careless map would misread: nginx's keywords, escape letters
# after a backslash (\n, \t, \r), digits first, the longest allowed, mixed case.
ALLOWED = ["kari.nordmann", "Per-Olav_2", "default", "include", "hostnames", "volatile", "nils",
           "tone", "rita", "0", "9lives", "a" * 32, "OLA"]  # fmt: skip
HOSTILE = ["~.", "~*", "~^kari", "kari\\", 'ola"', "ola'", "ola;", "ola{", "ola}", "ola$x", "ola hansen",
           "ola\ttab", "-ola", ".ola", "_ola", "kåre", "ola@kommune.no", "a" * 33, ""]  # fmt: skip


def users_command(users: Path, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.users", "--file", str(users), *args],
        input=password + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
    )  # fmt: skip


class StandIn(http.server.BaseHTTPRequestHandler):
    """A webserver that answers with the UI it stands in for and the user nginx passed on."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = f"{self.server.ui} {self.headers.get('X-Forwarded-User')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def stand_in(port: int, ui: str):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), StandIn)
    server.ui = ui
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(tmp_path):
    site = local_site(tmp_path / "run", Ports(*(free_port() for _ in fields(Ports))))
    site.config.mkdir(parents=True)
    self_signed_certificate(site.config)
    return site


@contextlib.contextmanager
def nginx(site):
    """Debian's nginx on the service's site, after ``nginx -t`` has passed."""
    run_dir = site.config.parent
    write_nginx_config(site, run_dir)
    checked = nginx_config_test(run_dir)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(nginx_command(run_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(site.ports.https, 30, process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def request(site, user: str | None, password: str = PASSWORD) -> tuple[int, str, dict]:
    """Status, body and headers of GET / through nginx."""
    req = urllib.request.Request(f"https://localhost:{site.ports.https}/")
    if user is not None:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    tls = ssl.create_default_context(cafile=str(site.config / "tls.crt"))
    try:
        with urllib.request.urlopen(req, timeout=30, context=tls) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), dict(error.headers)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_is_refused_by_the_users_command_and_nothing_changes(tmp_path, name):
    users = tmp_path / "users"
    add_user(users, "kari", ANALYSTS, PASSWORD)
    before = (users.read_bytes(), (tmp_path / "groups.map").read_bytes())
    refused = users_command(users, "add", "--password-stdin", "--", name, ANALYSTS)
    assert refused.returncode == 1, refused.stdout
    assert f"{name!r}: a user name is ASCII letters, digits" in refused.stderr
    assert "nothing changed" in refused.stderr
    assert (users.read_bytes(), (tmp_path / "groups.map").read_bytes()) == before


def test_a_name_that_differs_only_in_case_is_refused(tmp_path):
    users = tmp_path / "users"
    assert users_command(users, "add", "--password-stdin", "ola", FINANCE_OFFICERS).returncode == 0
    refused = users_command(users, "add", "--password-stdin", "Ola", ANALYSTS)
    assert refused.returncode == 1
    assert "'Ola': there is already a user 'ola'" in refused.stderr and "nothing changed" in refused.stderr
    assert [(u.name, u.group) for u in read_users(users)] == [("ola", FINANCE_OFFICERS)]
    changed = users_command(users, "add", "--password-stdin", "ola", ANALYSTS)  # the same name: a change
    assert changed.returncode == 0, changed.stderr
    assert [(u.name, u.group) for u in read_users(users)] == [("ola", ANALYSTS)]


def test_every_allowed_name_passes_nginx_t_and_reaches_exactly_its_groups_ui(site):
    """Half of the names are analysts; ``default`` among them, so a map that took the name for its
    keyword would send everyone else to the full UI. A user in the users file but not in the map
    (added by hand) reaches the read-only UI, and so does every name in the wrong case."""
    users = site.config / "users"
    groups = {name: (ANALYSTS, FINANCE_OFFICERS)[i % 2] for i, name in enumerate(ALLOWED)}
    for name, group in groups.items():
        added = users_command(users, "add", "--password-stdin", "--", name, group)
        assert added.returncode == 0, added.stderr
    assert groups["default"] == ANALYSTS and groups["include"] == FINANCE_OFFICERS
    with users.open("a", encoding="utf-8") as file:  # by hand, without writing groups.map
        file.write(f"per:{password_hash(PASSWORD)}:{ANALYSTS}\n")
    with (
        stand_in(site.ports.analysts_ui, ANALYSTS),
        stand_in(site.ports.finance_ui, FINANCE_OFFICERS) as finance,
        nginx(site),
    ):
        for name, group in groups.items():
            assert request(site, name)[:2] == (200, f"{group} {name}"), name
        assert request(site, "per")[:2] == (200, f"{FINANCE_OFFICERS} per")
        assert request(site, "ola")[0] == 401  # the password file is exact about case
        assert request(site, "kari.nordmann", "wrong-password-1")[0] == 401
        finance.shutdown()  # nginx's own error page carries the framing headers too
        finance.server_close()
        status, _, headers = request(site, "include")
        assert status == 502
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
        assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_names_in_an_old_users_file_are_left_out_of_the_map_and_named(site):
    """A users file from before the rule, with a regular expression, a backslash and two names
    that differ only in case, all analysts: ``add`` changes nothing and says which; ``remove``
    works, and the map it writes leaves the others out (they get the read-only UI), says which,
    and passes ``nginx -t``; nobody outside the map reaches the full UI."""
    users = site.config / "users"
    hashed = password_hash(PASSWORD)
    old = ["~.", "kari\\", "ola", "Ola", "per"]
    users.write_text("".join(f"{name}:{hashed}:{ANALYSTS}\n" for name in old), encoding="utf-8")

    refused = users_command(users, "add", "--password-stdin", "new.user", ANALYSTS)
    assert refused.returncode == 1
    for named in (
        "'~.' (it has '~')",
        "'kari\\\\' (it has '\\\\')",
        "'ola' and 'Ola' (they differ only in case",
    ):
        assert named in refused.stderr, refused.stderr
    assert "python -m service.users remove" in refused.stderr
    assert [u.name for u in read_users(users)] == old and not (site.config / "groups.map").exists()

    removed = users_command(users, "remove", "~.")
    assert removed.returncode == 0, removed.stderr
    assert (
        "'~.'" not in removed.stderr
        and "'kari\\\\'" in removed.stderr
        and "'ola' and 'Ola'" in removed.stderr
    )
    groups_map = (site.config / "groups.map").read_text(encoding="utf-8")
    assert groups_map.splitlines()[1:] == ['"\\\\per" alis_nord_analytiker;']
    users.write_text(
        users.read_text(encoding="utf-8") + f"~.:{hashed}:{ANALYSTS}\n", encoding="utf-8"
    )  # and back by hand: in the users file, not in the map
    with (
        stand_in(site.ports.analysts_ui, ANALYSTS),
        stand_in(site.ports.finance_ui, FINANCE_OFFICERS),
        nginx(site),
    ):
        assert request(site, "per")[:2] == (200, f"{ANALYSTS} per")
        for name in ("~.", "kari\\", "ola", "Ola"):
            assert request(site, name)[:2] == (200, f"{FINANCE_OFFICERS} {name}"), name


def test_adding_a_user_always_leaves_a_configuration_nginx_accepts(site):
    """After each change of a sequence (add, change group, remove, add again in another case),
    ``nginx -t`` passes: what the next reload does."""
    users = site.config / "users"
    steps = [("add", "kari", ANALYSTS), ("add", "ola", FINANCE_OFFICERS), ("add", "kari", FINANCE_OFFICERS),
             ("remove", "ola"), ("add", "Ola", ANALYSTS), ("add", "default", FINANCE_OFFICERS)]  # fmt: skip
    for step in steps:
        args = (step[0], "--password-stdin", "--", *step[1:]) if step[0] == "add" else step
        done = users_command(users, *args)
        assert done.returncode == 0, (step, done.stderr)
        write_nginx_config(site, site.config.parent)
        checked = nginx_config_test(site.config.parent)
        assert checked.returncode == 0, (step, checked.stderr)
    assert [(u.name, u.group) for u in read_users(users)] == [
        ("kari", FINANCE_OFFICERS), ("Ola", ANALYSTS), ("default", FINANCE_OFFICERS)
    ]  # fmt: skip


def test_three_hundred_users_with_names_of_every_allowed_shape_pass_nginx_t(site):
    """The users file as the command writes it (write_users), with 300 names drawn from the rule:
    every character it allows, every length up to the longest."""
    import random

    from service.users import MAX_NAME_LENGTH, NAME_CHARACTERS, User, write_users

    draw = random.Random(32)
    first = sorted(c for c in NAME_CHARACTERS if c.isalnum())
    names: dict[str, str] = {}  # by lowercase: names differ in more than case
    while len(names) < 300:
        rest = draw.choices(sorted(NAME_CHARACTERS), k=draw.randint(0, MAX_NAME_LENGTH - 1))
        name = draw.choice(first) + "".join(rest)
        names.setdefault(name.lower(), name)
    hashed = password_hash(PASSWORD)
    users = [User(name, hashed, draw.choice((ANALYSTS, FINANCE_OFFICERS))) for name in names.values()]
    write_users(site.config / "users", users)
    assert len((site.config / "groups.map").read_text(encoding="utf-8").splitlines()) == 301
    write_nginx_config(site, site.config.parent)
    checked = nginx_config_test(site.config.parent)
    assert checked.returncode == 0 and "[emerg]" not in checked.stderr, checked.stderr


def test_nginx_t_would_have_caught_the_old_map(site):
    """The check above can fail: the map the users command wrote before (``"name" group;``)
    makes ``nginx -t`` fail for ``ola`` beside ``Ola``, and for ``kari\\``."""
    for lines in (
        ['"ola" alis_nord_okonomi;', '"Ola" alis_nord_analytiker;'],
        ['"kari\\" alis_nord_analytiker;'],
    ):
        add_user(site.config / "users", "someone", ANALYSTS, PASSWORD)
        (site.config / "groups.map").write_text("\n".join(lines) + "\n", encoding="utf-8")
        write_nginx_config(site, site.config.parent)
        assert nginx_config_test(site.config.parent).returncode != 0, lines
