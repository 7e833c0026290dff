"""The production files: rendered from service/templates/ (service/config.py), valid for systemd,
and the users file.

The service itself, started from the same commands, is tested in tests/test_service.py.
"""

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from glue.resources import PROJECT_ROOT
from service.config import nginx_main_config, nginx_site, render, render_template, unit_file
from service.topology import PRODUCTION, Site, processes
from service.users import add_user, groups_map, read_users, remove_user
from tests.network import free_port, listening

DEPLOY = PROJECT_ROOT / "deploy" / "production"


def test_the_committed_files_are_the_rendering_of_the_templates():
    for name, text in render(PRODUCTION).items():
        assert (DEPLOY / name).read_text(encoding="utf-8") == text, (
            f"deploy/production/{name} is out of step: python -m service.serve render deploy/production"
        )


def test_the_templates_refuse_a_value_that_would_change_a_files_meaning():
    """Autoescaping is off (configuration files), so: no value breaks its line, no path in nginx's
    files holds what nginx reads as more than a character, and a missing value is an error."""
    import dataclasses

    import jinja2

    for path in ("/etc/alis nord", "/etc/alis;x", "/etc/$alis", "/etc/alis#x", '/etc/"alis"', "/etc/{a}"):
        with pytest.raises(ValueError, match="cannot be a path in nginx's configuration"):
            nginx_site(Site(config=Path(path)))
    with pytest.raises(ValueError, match="cannot be a path in nginx's configuration"):
        nginx_main_config(Path("/tmp/run dir"), PRODUCTION)
    code_server = processes(PRODUCTION)[0]
    with pytest.raises(ValueError, match="would break a line"):
        unit_file(PRODUCTION, dataclasses.replace(code_server, description="x\nExecStartPre=/bin/sh"))
    with pytest.raises(jinja2.UndefinedError):
        render_template("workspace.yaml.j2")


def test_an_instance_file_naming_the_launchers_old_module_still_loads():
    """$DAGSTER_HOME/dagster.yaml copied before the launcher moved to service.run_launcher names
    service.serve; Dagster loads a run launcher with importlib and getattr."""
    import importlib

    from service.run_launcher import HealthCheckedRunLauncher

    assert importlib.import_module("service.serve").HealthCheckedRunLauncher is HealthCheckedRunLauncher


def test_each_unit_starts_its_process_with_the_one_command(tmp_path):
    files = render(PRODUCTION)
    for process in processes(PRODUCTION):
        unit = files[f"systemd/alis-nord-{process.name}.service"]
        (exec_start,) = re.findall(r"^ExecStart=(.*)$", unit, re.MULTILINE)
        assert tuple(shlex.split(exec_start)) == process.argv
        for setting in (
            "Restart=on-failure",
            "User=alis-nord",
            "EnvironmentFile=/etc/alis-nord/alis-nord.env",
        ):
            assert setting in unit.splitlines(), (process.name, setting)
    assert any("--read-only" in p.argv for p in processes(PRODUCTION))  # the finance officers' webserver


def test_the_delivery_page_is_a_unit_of_its_own_that_writes_the_landing_area_only():
    """uvicorn with the app's factory on 127.0.0.1:4270, trusting nginx's X-Forwarded-For from
    127.0.0.1 alone, its access log left to nginx; started with the target, after nothing of
    Dagster's; its only writable path the landing area (alis-nord.env.example's ALIS_LANDING_DIR),
    where the page writes ``<landing>/<year>/`` and ``<landing>/.levering/``."""
    files = render(PRODUCTION)
    unit = files["systemd/alis-nord-delivery-page.service"].splitlines()
    (exec_start,) = (line.removeprefix("ExecStart=") for line in unit if line.startswith("ExecStart="))
    argv = shlex.split(exec_start)
    assert argv[:3] == ["/opt/alis-nord/.venv/bin/uvicorn", "portal.app:create_app", "--factory"]
    options = " ".join(argv[3:])
    for option in ("--host 127.0.0.1", "--port 4270", "--proxy-headers", "--forwarded-allow-ips 127.0.0.1",
                   "--app-dir /opt/alis-nord", "--no-access-log", "--no-server-header"):  # fmt: skip
        assert option in options, option
    assert "After=network-online.target postgresql.service" in unit  # not after the code server
    assert "ReadWritePaths=/srv/alis-nord/mottak" in unit
    example = (DEPLOY / "alis-nord.env.example").read_text(encoding="utf-8")
    assert "\nALIS_LANDING_DIR=/srv/alis-nord/mottak\n" in example
    for variable in ("ALIS_DELIVERY_SECRET=", "ALIS_DELIVERY_BASE_URL=", "# ALIS_DELIVERY_LINK_DAYS=",
                     "# ALIS_LANDING_SETTLE_SECONDS="):  # fmt: skip
        assert f"\n{variable}" in example, variable
    (wants,) = (line for line in files["systemd/alis-nord.target"].splitlines() if line.startswith("Wants="))
    assert "alis-nord-delivery-page.service" in wants.split("=", 1)[1].split()
    # Dagster's units are as they were: after the code server, writing its instance and the data
    daemon = files["systemd/alis-nord-daemon.service"].splitlines()
    assert "After=network-online.target postgresql.service alis-nord-code-server.service" in daemon
    assert "ReadWritePaths=/var/lib/alis-nord /srv/alis-nord" in daemon


def _block(text: str, opening: str, holding: str = "") -> str:
    """The body of the first nginx block whose opening line is ``opening`` (``    location /x/ {``,
    indentation included) and whose body holds ``holding``."""
    for part in text.split(f"\n{opening}\n")[1:]:
        depth, at = 1, -1
        while depth:
            at += 1
            depth += {"{": 1, "}": -1}.get(part[at], 0)
        if holding in part[:at]:
            return part[:at]
    raise AssertionError(f"no block {opening!r} holding {holding!r}")


def _directives(block: str) -> list[str]:
    """The block's own directives (not those of blocks nested in it), comments left out."""
    found, depth = [], 0
    for line in block.splitlines():
        line = line.split("  #", 1)[0].strip()
        if line.endswith("{"):
            depth += 1
        elif line == "}":
            depth -= 1
        elif line and not line.startswith("#") and depth == 0:
            found.append(line)
    return found


def test_the_delivery_page_location_sends_to_the_page_alone_without_a_login():
    """nginx's /levering/: no login, the delivery page's upstream and no other, a body limit of the
    landing area's file limit and 1 MiB (computed, not typed twice), the rate limits, and headers
    of its own (add_header in a location replaces the server's, so each is there again).
    tests/test_delivery_service.py shows what they do, with nginx and the page running."""
    from alis_nord.readers import MAX_FILE_BYTES
    from service.config import DELIVERY_PER_ADDRESS, DELIVERY_PER_LINK

    site = render(PRODUCTION)["nginx/alis-nord.conf"]
    https = _block(site, "server {", "listen 443 ssl;")
    assert {'auth_basic "ALIS-Nord";', "auth_basic_user_file /etc/alis-nord/users;"} <= set(
        _directives(https)
    )
    page = _directives(_block(https, "    location /levering/ {"))
    assert MAX_FILE_BYTES == 20 * 1024 * 1024  # so 20 MiB + 1 MiB = 21 MiB, nginx's "21m"
    for directive in (
        "auth_basic off;",
        "client_max_body_size 21m;",
        "proxy_request_buffering on;",
        "proxy_set_header X-Forwarded-For $remote_addr;",  # replaced, never appended to
        "proxy_set_header X-Forwarded-Proto https;",
        "limit_req_status 429;",
        "access_log /var/log/nginx/alis-nord-levering.log alis_nord_levering;",
    ):
        assert directive in page, directive
    assert [d for d in page if d.startswith("proxy_pass")] == ["proxy_pass http://alis_nord_levering;"]
    for limit in (DELIVERY_PER_ADDRESS, DELIVERY_PER_LINK):
        assert f"limit_req zone={limit.zone} burst={limit.burst} nodelay;" in page
        assert f"limit_req_zone {limit.key} zone={limit.zone}:10m rate={limit.rate};" in site.splitlines()
    headers = {d.split()[1]: d for d in page if d.startswith("add_header")}
    assert set(headers) == {"Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
                            "Referrer-Policy", "Content-Security-Policy"}  # fmt: skip
    assert all(d.endswith(" always;") for d in headers.values())
    assert headers["Referrer-Policy"] == "add_header Referrer-Policy no-referrer always;"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert _directives(_block(site, "upstream alis_nord_levering {")) == [
        "server 127.0.0.1:4270;",
        "keepalive 8;",
    ]
    assert site.count("http://alis_nord_levering;") == 1  # the upstream is named in this location alone
    assert _directives(_block(https, "    location = /levering {")) == [
        "auth_basic off;",
        "return 301 /levering/;",
    ]
    # the access log's format writes the path with the link's signature cut, never the request line
    (log_format,) = (line for line in site.splitlines() if line.startswith("log_format alis_nord_levering "))
    assert "$alis_nord_levering_logged_uri" in log_format and "$request " not in log_format


def test_systemd_accepts_the_unit_files(tmp_path):
    """systemd-analyze verify on the units for this checkout (its .venv holds the commands);
    an unknown key or a missing command is printed, and the test wants nothing printed."""
    site = Site(project=PROJECT_ROOT, config=tmp_path / "config", dagster_home=tmp_path / "home")
    units = tmp_path / "units"
    for name, text in render(site).items():
        if name.startswith("systemd/"):
            (units / name).parent.mkdir(parents=True, exist_ok=True)
            (units / name).write_text(text, encoding="utf-8")
    files = sorted(str(p) for p in (units / "systemd").iterdir())
    verify = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True, cwd=units)
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, "")

    broken = units / "systemd" / "alis-nord-daemon.service"  # and it would notice a mistake
    broken.write_text(broken.read_text(encoding="utf-8").replace("Restart=", "Restrt="), encoding="utf-8")
    verify = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True)
    assert "Unknown key 'Restrt'" in verify.stderr


def test_the_users_file_keeps_users_groups_and_nginx_map_together(tmp_path):
    import bcrypt

    users = tmp_path / "users"
    add_user(users, "kari", "analytiker", "a-long-password-1")
    add_user(users, "ola", "okonomi", "a-long-password-2")
    add_user(users, "kari", "okonomi", "a-new-password-33")  # a user's group and password change
    found = read_users(users)
    assert [(u.name, u.group) for u in found] == [("ola", "okonomi"), ("kari", "okonomi")]
    assert bcrypt.checkpw(b"a-new-password-33", found[1].password_hash.encode())
    assert "a-new-password" not in users.read_text(encoding="utf-8")
    assert (tmp_path / "groups.map").read_text(encoding="utf-8") == groups_map(found)
    # the name as an exact key of nginx's map (tests/test_users_nginx.py)
    assert '"\\\\kari" alis_nord_okonomi;' in groups_map(found)
    assert oct(users.stat().st_mode & 0o777) == "0o640"

    assert remove_user(users, "ola") and not remove_user(users, "ola")
    assert [u.name for u in read_users(users)] == ["kari"]
    assert "ola" not in (tmp_path / "groups.map").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["has:colon", 'quote"d', "semi;colon", "with space", "#comment", ""])
def test_a_user_name_nginx_would_misread_is_refused(tmp_path, name):
    with pytest.raises(ValueError, match="user name"):
        add_user(tmp_path / "users", name, "analytiker", "a-long-password-1")
    assert not (tmp_path / "users").exists()


def test_an_unknown_group_is_refused_with_its_line(tmp_path):
    users = tmp_path / "users"
    with pytest.raises(ValueError, match="the groups are analytiker, okonomi"):
        add_user(users, "kari", "admin", "a-long-password-1")
    users.write_text("kari:$2b$10$abc:admin\n", encoding="utf-8")  # edited by hand
    with pytest.raises(ValueError, match=r"users:1: 'kari' has group 'admin'"):
        read_users(users)


def test_the_users_command_adds_from_standard_input_and_refuses_a_short_password(tmp_path):
    import sys

    def users_command(*args, password):
        return subprocess.run(
            [sys.executable, "-m", "service.users", "--file", str(tmp_path / "users"), *args],
            input=password + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT,
        )  # fmt: skip

    added = users_command("add", "kari", "analytiker", "--password-stdin", password="a-long-password-1")
    assert added.returncode == 0, added.stderr
    assert "kari\tanalytiker" in added.stdout and "systemctl reload nginx" in added.stdout
    short = users_command("add", "ola", "okonomi", "--password-stdin", password="short")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    assert [u.name for u in read_users(Path(tmp_path / "users"))] == ["kari"]


def test_make_serve_starts_the_topology_and_ctrl_c_stops_every_process(small_landing, tmp_path):
    """`make serve` on a fresh clone: its own PostgreSQL, two users printed once, the service
    behind nginx, the delivery page beside it without a login, with a key of the run's own that
    is printed nowhere; SIGINT (Ctrl-C) stops every process and leaves nothing listening."""
    import base64
    import os
    import signal
    import ssl
    import sys
    import time
    import urllib.error
    import urllib.request

    ports = {
        name: free_port()
        for name in ("https", "http", "analysts-ui", "finance-ui", "code-server", "delivery-page")
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "ALIS_"))}
    env.update(ALIS_LANDING_DIR=str(small_landing), ALIS_OUTPUT_DIR=str(tmp_path / "output"))
    command = [sys.executable, "-m", "service.serve", "run", "--run-dir", str(tmp_path / "r")]
    command += [f"--{name}-port={port}" for name, port in ports.items()]
    serve = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines = []
        while not any("serves https://" in line for line in lines):
            line = serve.stdout.readline()
            assert line, "".join(lines)  # it stopped before serving
            lines.append(line)
        passwords = dict(re.findall(r"Made user (\w+) \(\w+\) with password (\S+)", "".join(lines)))
        assert set(passwords) == {"analytiker", "okonomi"}
        tls = ssl.create_default_context(cafile=str(tmp_path / "r" / "config" / "tls.crt"))

        def status(user=None, path="/server_info"):
            request = urllib.request.Request(f"https://localhost:{ports['https']}{path}")
            if user:
                token = base64.b64encode(f"{user}:{passwords[user]}".encode()).decode()
                request.add_header("Authorization", f"Basic {token}")
            try:
                with urllib.request.urlopen(request, timeout=30, context=tls) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        assert (status(), status("analytiker"), status("okonomi")) == (401, 200, 200)
        assert status(path="/levering/helse") == 200
        assert f"delivery page under https://localhost:{ports['https']}/levering/ " in lines[-1]
    finally:
        serve.send_signal(signal.SIGINT)  # Ctrl-C
        rest = serve.communicate(timeout=120)[0]
    assert serve.returncode == 0 and rest.strip().endswith("Stopped."), rest
    secret = tmp_path / "r" / "config" / "delivery-secret"
    assert oct(secret.stat().st_mode & 0o777) == "0o600" and len(secret.read_text().strip()) >= 32
    assert secret.read_text().strip() not in "".join(lines) + rest
    for log in (tmp_path / "r" / "logs").glob("*.log"):
        assert secret.read_bytes().strip() not in log.read_bytes(), log
    time.sleep(1)
    assert [port for port in ports.values() if listening(port)] == []
    left = subprocess.run(["pgrep", "-af", str(tmp_path / "r")], capture_output=True, text=True).stdout
    assert left == ""  # its PostgreSQL too
