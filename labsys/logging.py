"""Logs that never hold a password, a password hash or anybody's contact details.

Redaction happens when a log record is *created* (a record factory), not when a handler writes
it: every handler then sees the redacted text, including ones added later by Streamlit, pytest or
an operator, and a message cannot escape through a handler that lacks a filter. SQLAlchemy's
parameter logging, exception text and third-party messages pass through the same gate.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from labsys.text import EMAIL, PHONE

REDACTED = "[redacted]"
_SECRET_FIELD = re.compile(
    r"""(?ix)
    \b(password|passwd|pwd|passphrase|secret|token|password_hash)\b  # a field that holds a secret
    (["']?\s*[:=]\s*)                                                 # then = or : (JSON, repr, kw)
    ("[^"]*"|'[^']*'|[^\s,;)}\]]+)                                    # then its value
    """
)
_PASSWORD_HASH = re.compile(r"\$argon2\w*\$[^\s'\")\]]+")
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2})?")

_installed: Callable[..., logging.LogRecord] | None = None


def redact(text: str) -> str:
    """``text`` with secrets, password hashes, e-mail addresses and phone numbers replaced."""
    text = _SECRET_FIELD.sub(lambda match: f"{match[1]}{match[2]}{REDACTED}", text)
    text = _PASSWORD_HASH.sub(REDACTED, text)
    text = EMAIL.sub(REDACTED, text)
    return PHONE.sub(_unless_date, text)


def _unless_date(match: re.Match[str]) -> str:
    """Keep ISO dates and times (they look like phone numbers to the pattern); redact the rest."""
    return match[0] if _ISO_DATE_TIME.fullmatch(match[0]) else REDACTED


def _redacted_record(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: keep the template, drop the values
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    return make_record


def install_redaction() -> None:
    """Redact every log record made in this process from now on (idempotent)."""
    global _installed
    current = logging.getLogRecordFactory()
    if current is not _installed:
        _installed = _redacted_record(current)
        logging.setLogRecordFactory(_installed)


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr, one line per event, with redaction on (what the CLI and the app call)."""
    install_redaction()
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=False
    )
