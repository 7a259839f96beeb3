"""Appends one JSON object per line to the report file shared by every process of the run."""
import os

REPORT_VARIABLE = "GRPC_FORK_GUARD_REPORT"
_path = os.environ.get(REPORT_VARIABLE)


def enabled():
    return bool(_path)


def write(event):
    """One os.write on an O_APPEND descriptor: concurrent processes never interleave a line.

    The file is opened for each event, so a program that closes every descriptor (daemons do)
    can never make the probe write into one of its own files.
    """
    if not _path:
        return
    try:
        import json

        event.setdefault("pid", os.getpid())
        data = (json.dumps(event, separators=(",", ":"), default=str) + "\n").encode("utf-8", "replace")
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(_path, flags, 0o600)
        try:
            os.write(descriptor, data)
        finally:
            os.close(descriptor)
    except Exception:
        pass
