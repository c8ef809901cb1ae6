"""JSON log lines: one object per record, so log shippers need no parsing rules.

Every record logged while a request is served carries its request id. LOG_FILE adds a rotating
file (10 MB x 10) that several Gunicorn workers can share safely.
"""

import fcntl
import json
import logging
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler

from eventmate.core.request_id import get_request_id

# Attributes every LogRecord has; anything else was passed with `extra=` and is kept.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Stamped on the record by the access log; else the request being served right now.
        request_id = getattr(record, "request_id", None) or get_request_id()
        if request_id:
            payload["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["traceback"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class ProcessSafeRotatingFileHandler(RotatingFileHandler):
    """RotatingFileHandler for several processes writing one file (Gunicorn workers).

    The stock handler rotates per process: each worker renames the file under the others, who
    keep writing to the renamed one. Here every write takes an exclusive flock on
    `<file>.lock`, reopens the file if another process rotated it, and rotates only under the
    lock, by the file's real size.
    """

    def __init__(self, filename, maxBytes=10 * 1024 * 1024, backupCount=10, encoding="utf-8"):
        super().__init__(
            filename, maxBytes=maxBytes, backupCount=backupCount, encoding=encoding, delay=True
        )
        self._lock_path = self.baseFilename + ".lock"
        self._lock_file = None
        self._lock_pid = None

    @contextmanager
    def _interprocess_lock(self):
        # flock belongs to the open file description, which a fork shares: reopen per process.
        if self._lock_file is None or self._lock_pid != os.getpid():
            self._lock_file = open(self._lock_path, "a")  # noqa: SIM115 (kept open on purpose)
            self._lock_pid = os.getpid()
        fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)

    def _reopen_if_rotated(self):
        if self.stream is None:
            return
        try:
            same = os.stat(self.baseFilename).st_ino == os.fstat(self.stream.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            self.stream.close()
            self.stream = None

    def shouldRollover(self, record):
        return False  # decided in emit(), under the lock

    def emit(self, record):
        try:
            message = self.format(record) + self.terminator
            with self._interprocess_lock():
                self._reopen_if_rotated()
                if self.stream is None:
                    self.stream = self._open()
                size = os.fstat(self.stream.fileno()).st_size
                if self.maxBytes and size and size + len(message.encode()) > self.maxBytes:
                    self.doRollover()
                    if self.stream is None:
                        self.stream = self._open()
                self.stream.write(message)
                self.stream.flush()
        except Exception:
            self.handleError(record)
