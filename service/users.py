"""Who may open the UI: the users file the project office keeps, and nginx's map of groups.

The users file (``/etc/alis-nord/users`` on the server) is nginx's ``auth_basic_user_file``:
one line per person, ``name:bcrypt-hash:group``, where the group is ``analytiker`` (the full UI:
launch, backfill, re-execute) or ``okonomi`` (the read-only UI: assets, metadata, checks, runs,
logs). nginx cannot read the group from that file, so every change also writes ``groups.map``
beside it (``"\\\\name" alis_nord_<group>;`` lines that nginx's site includes); then reload nginx::

    python -m service.users add kari.nordmann analytiker    # asks for the password twice
    python -m service.users add ola.hansen okonomi
    python -m service.users remove ola.hansen
    python -m service.users list
    sudo nginx -t && sudo systemctl reload nginx

Someone in the users file but not (yet) in ``groups.map`` gets the read-only UI.

A user name is ASCII letters, digits, ``.``, ``_`` and ``-``, starts with a letter or a digit and
has at most 32 characters, and no two names differ only in case. nginx's map reads a key that
starts with ``~`` as a regular expression, ignores case (``ola`` beside ``Ola`` fails ``nginx -t``,
and so the next reload) and loses its quoting at a backslash; each key of ``groups.map`` is also
escaped (``"\\\\name"``), so that a name such as ``default`` or ``include`` is that exact name, never one
of the map's keywords. A users file from before the rule may hold other names: ``groups.map``
leaves them out (they get the read-only UI), every command names them, and ``add`` changes nothing
until they are removed.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alis_nord.settings import Settings

ANALYSTS, FINANCE_OFFICERS = "analytiker", "okonomi"  # the full UI, and the read-only one
GROUPS = (ANALYSTS, FINANCE_OFFICERS)
DEFAULT_USERS_FILE = Path("/etc/alis-nord/users")
# nginx's map keeps a name in a hash bucket of 64 bytes (map_hash_bucket_size, a cache line):
# over 46 characters, nginx -t fails. Linux's own user names have at most 32.
MAX_NAME_LENGTH = 32
NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
NAME_RULE = (
    f"a user name is ASCII letters, digits, '.', '_' and '-', starts with a letter or a digit "
    f"and has at most {MAX_NAME_LENGTH} characters"
)


def upstream(group: str) -> str:
    """nginx's name for the webserver a group is sent to (nginx's site, ``service.config.nginx_site``,
    declares both)."""
    return f"alis_nord_{group}"


@dataclass(frozen=True)
class User:
    name: str
    password_hash: str
    group: str


def read_users(path: Path) -> list[User]:
    users = []
    if not path.exists():
        return users
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, rest = line.partition(":")
        password_hash, _, group = rest.partition(":")
        if group not in GROUPS:
            raise ValueError(
                f"{path}:{number}: {name!r} has group {group!r}; the groups are {', '.join(GROUPS)}"
            )
        users.append(User(name, password_hash, group))
    return users


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a user name, or None when it follows the rule."""
    if not name:
        return "it is empty"
    unsafe = sorted({c for c in name if c not in NAME_CHARACTERS})
    if unsafe:
        return "it has " + ", ".join(repr(c) for c in unsafe)
    if not name[0].isalnum():
        return f"it starts with {name[0]!r}"
    if len(name) > MAX_NAME_LENGTH:
        return f"it has {len(name)} characters"
    return None


def check_name(name: str) -> None:
    problem = name_problem(name)
    if problem:
        raise ValueError(f"{name!r}: {NAME_RULE} ({problem})")


def _mapped(users: list[User]) -> tuple[list[User], list[str]]:
    """The users nginx's map holds as exact names, and the others, each with the reason: a name
    outside the rule, or names that differ only in case (both from a file older than the rule)."""
    safe = [u for u in users if name_problem(u.name) is None]
    by_lowercase: dict[str, list[str]] = {}
    for user in safe:
        by_lowercase.setdefault(user.name.lower(), []).append(user.name)
    left_out = [f"{u.name!r} ({name_problem(u.name)})" for u in users if name_problem(u.name)]
    left_out += [
        " and ".join(repr(n) for n in names) + " (they differ only in case, which nginx's map ignores)"
        for names in by_lowercase.values()
        if len(names) > 1
    ]
    return [u for u in safe if len(by_lowercase[u.name.lower()]) == 1], left_out


def misread_names(users: list[User]) -> list[str]:
    """Users ``groups_map`` leaves out, each with the reason (empty for a file kept by this module)."""
    return _mapped(users)[1]


def map_key(name: str) -> str:
    r"""``name`` as an exact key of nginx's map, ``"\\name"``: nginx's parser makes the two
    backslashes one, and the map takes a key after a backslash as that exact string, never a
    regular expression (``~``) nor one of its keywords (``default``, ``include``)."""
    check_name(name)
    return f'"\\\\{name}"'


def groups_map(users: list[User]) -> str:
    """nginx's map from a user's name to the group's webserver, for every user whose name it holds
    exactly; the others (``misread_names``) are left out and so get the read-only UI."""
    lines = ["# Generated by python -m service.users from the users file beside it; edit that."]
    lines += [f"{map_key(u.name)} {upstream(u.group)};" for u in _mapped(users)[0]]
    return "\n".join(lines) + "\n"


def write_users(path: Path, users: list[User]) -> None:
    """The users file and groups.map beside it, each replaced whole (never half-written), keeping
    the group a file had (``www-data``, so nginx's workers read it)."""
    text = "# name:bcrypt-hash:group (analytiker or okonomi). Edit with python -m service.users.\n"
    text += "".join(f"{u.name}:{u.password_hash}:{u.group}\n" for u in users)
    for target, content in ((path, text), (path.with_name("groups.map"), groups_map(users))):
        partial = target.with_name(target.name + ".new")
        partial.write_text(content, encoding="utf-8")
        partial.chmod(0o640)
        if target.exists():
            os.chown(partial, -1, target.stat().st_gid)
        os.replace(partial, target)


def password_hash(password: str) -> str:
    import bcrypt

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode()


def check_new_user(path: Path, name: str, group: str) -> None:
    """Raises ValueError, saying why, unless ``add_user`` may add (or change) ``name``."""
    check_name(name)
    if group not in GROUPS:
        raise ValueError(f"{group!r}: the groups are {', '.join(GROUPS)}")
    users = read_users(path)
    same_but_case = [u.name for u in users if u.name.lower() == name.lower() and u.name != name]
    if same_but_case:
        raise ValueError(
            f"{name!r}: there is already a user {same_but_case[0]!r}, and user names must differ "
            "in more than case (nginx's groups map does not tell them apart)"
        )
    left_out = misread_names(users)
    if left_out:
        raise ValueError(
            f"{path} has user names nginx would misread: {'; '.join(left_out)}. Remove them first "
            "(python -m service.users remove NAME) and add those people again under names that follow "
            f"the rule: {NAME_RULE}"
        )


def add_user(path: Path, name: str, group: str, password: str) -> None:
    """Adds a user, or sets an existing user's password and group."""
    check_new_user(path, name, group)
    users = [u for u in read_users(path) if u.name != name]
    write_users(path, [*users, User(name, password_hash(password), group)])


def remove_user(path: Path, name: str) -> bool:
    users = read_users(path)
    kept = [u for u in users if u.name != name]
    write_users(path, kept)
    return len(kept) < len(users)


def ensure_demo_users(config: Path) -> Iterator[str]:
    """For make serve: one analyst and one finance officer with new passwords, when there are no users."""
    path = config / "users"
    if read_users(path):
        yield f"Users: {path}"
        return
    for name, group in (("analytiker", ANALYSTS), ("okonomi", FINANCE_OFFICERS)):
        password = secrets.token_urlsafe(12)
        add_user(path, name, group, password)
        yield f"Made user {name} ({group}) with password {password}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.users", description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=Settings().users_file)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add a user, or change a user's password or group")
    add.add_argument("name", help=NAME_RULE)
    add.add_argument("group", choices=GROUPS)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    remove = commands.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    commands.add_parser("list", help="the users and their groups")
    args = parser.parse_args(argv)
    try:
        if args.command == "add":
            check_new_user(args.file, args.name, args.group)  # before asking for a password
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"Password for {args.name}: ")
                if getpass.getpass("Once more: ") != password:
                    print("The two passwords differ; nothing changed.", file=sys.stderr)
                    return 1
            if len(password) < 12:
                print("A password has at least 12 characters; nothing changed.", file=sys.stderr)
                return 1
            add_user(args.file, args.name, args.group, password)
        elif args.command == "remove" and not remove_user(args.file, args.name):
            print(f"No user {args.name!r} in {args.file}.", file=sys.stderr)
            return 1
        users = read_users(args.file)
    except ValueError as error:
        print(f"{error}; nothing changed.", file=sys.stderr)
        return 1
    for user in users:
        print(f"{user.name}\t{user.group}")
    for left_out in misread_names(users):
        print(
            f"Not in groups.map (read-only UI until removed and added again under a name that follows "
            f"the rule): {left_out}",
            file=sys.stderr,
        )
    if args.command != "list":
        print(
            f"Written {args.file} and {args.file.with_name('groups.map')}; now: sudo nginx -t && sudo systemctl reload nginx"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
