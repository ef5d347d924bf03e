"""The ``labsys`` command: everything that needs no browser.

Every expected failure is a :class:`~labsys.errors.LabsysError`, printed as one line on stderr
with a non-zero exit code; a traceback means a bug.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from labsys.config import load_settings
from labsys.counselling.cli import add_prompts_command
from labsys.db import make_engine, transaction, upgrade
from labsys.errors import LabsysError, ValidationError
from labsys.logging import configure_logging
from labsys.monitoring.cli import add_alerts_command, add_export_command
from labsys.storage.cli import add_backup_commands, add_purge_command
from labsys.tlc.cli import add_analyse_command
from labsys.tlc.identify_cli import add_identify_command, add_references_command

Handler = Callable[[argparse.Namespace], int]
EXIT_ERROR = 2


def _engine() -> Engine:
    return make_engine(load_settings().database_url)


def _db_upgrade(_args: argparse.Namespace) -> int:
    upgrade(_engine())
    print("Database is up to date.")
    return 0


def _read_password(username: str) -> str:
    """From a prompt at a terminal, or the first line of stdin otherwise: never from argv."""
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {username}: ")
        if getpass.getpass("Again: ") != password:
            raise ValidationError("The two passwords differ.")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def _user_add(args: argparse.Namespace) -> int:
    from labsys.auth import create_user

    password = _read_password(args.name)
    engine = _engine()
    with transaction(engine) as session:
        actor = create_user(session, args.name, password, args.role, language=args.language)
    print(f"Created {actor.role} {actor.username!r}.")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from labsys.demo import DEMO_PASSWORDS, load_demo

    engine = _engine()
    upgrade(engine)
    if not load_demo(engine):
        if args.if_empty:
            print("The database already has users; demo data not loaded.")
            return 0
        raise ValidationError("The database already has users; demo data is only for a new one.")
    print("Demo data loaded. Sign in as (user / password):")
    for role, password in DEMO_PASSWORDS.items():
        print(f"  {role.value} / {password}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="labsys", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)

    user = commands.add_parser("user", help="staff accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser("add", help="create an account (password from prompt/stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, help="volunteer, counsellor, coordinator or admin")
    add.add_argument("--language", default="en", choices=["en", "fr"])
    add.set_defaults(handler=_user_add)

    demo = commands.add_parser("demo", help="load demo users and samples into a new database")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if users exist")
    demo.set_defaults(handler=_demo)

    add_analyse_command(commands)
    add_identify_command(commands)
    add_references_command(commands)
    add_alerts_command(commands)
    add_export_command(commands)
    add_prompts_command(commands)
    add_backup_commands(commands)
    add_purge_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    configure_logging(logging.WARNING)
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except LabsysError as error:
        print(f"labsys: {error}", file=sys.stderr)
    except OperationalError as error:
        print(f"labsys: database error: {error.orig}", file=sys.stderr)
    except SQLAlchemyError as error:  # one line, not a traceback with the SQL and its rows
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        print(f"labsys: database error: {type(error).__name__}: {detail}", file=sys.stderr)
    except OSError as error:
        print(
            f"labsys: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
    except KeyboardInterrupt:
        print("labsys: interrupted", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
