"""Call stacks, captured cheaply (code objects and offsets, never frames: a frame would keep the
program's locals alive) and described later, innermost frame first."""
import os
import sys

_PROBE_DIR = os.path.dirname(os.path.abspath(__file__))
_STDLIB_DIR = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
_MAX_FRAMES = 40


def capture():
    """The current stack without the probe's own frames, innermost first."""
    frames = []
    frame = sys._getframe(1)
    while frame is not None and len(frames) < _MAX_FRAMES:
        code = frame.f_code
        if not code.co_filename.startswith(_PROBE_DIR):
            frames.append((code, frame.f_lineno, frame.f_lasti))
        frame = frame.f_back
    return frames


def is_user_file(filename):
    """Code the user wrote: not the standard library, not an installed package, not the probe."""
    if not filename or filename.startswith("<") or filename.startswith(_PROBE_DIR):
        return False
    if "site-packages" in filename or "dist-packages" in filename:
        return False
    return not os.path.abspath(filename).startswith(_STDLIB_DIR)


def describe(frames):
    described = []
    for code, line, offset in frames:
        entry = {
            "file": _absolute(code.co_filename),
            "line": line if line is not None else code.co_firstlineno,
            "function": code.co_name,
            "user": is_user_file(code.co_filename),
        }
        position = _position(code, offset)
        if position is not None:
            start_line, end_line, column, end_column = position
            if start_line == entry["line"] and column is not None:
                # Columns are UTF-8 byte offsets; the command-line tool converts them.
                entry.update(column=column, endLine=end_line, endColumn=end_column)
        described.append(entry)
    return described


def _absolute(filename):
    if filename.startswith("<"):
        return filename
    try:
        return os.path.abspath(filename)
    except (OSError, ValueError):
        return filename


def _position(code, offset):
    """The source span of the instruction at `offset` (Python 3.11+ keeps one per instruction)."""
    positions = getattr(code, "co_positions", None)
    if positions is None or offset is None or offset < 0:
        return None
    try:
        for index, position in enumerate(positions()):
            if index == offset // 2:
                return position
    except Exception:
        pass
    return None
