# hazard: GF302
# fix: Set GRPC_POLL_STRATEGY to poll
"""Enables fork support from the environment, with a poll strategy copied
from an old deployment script ("none"), then forks a helper.
"""
import os

os.environ.update({"GRPC_ENABLE_FORK_SUPPORT": "1", "GRPC_POLL_STRATEGY": "none"})

import sys

import grpc

TARGET = os.environ["GF_TARGET"]


def main():
    channel = grpc.insecure_channel(TARGET)
    call = channel.unary_unary("/gf.Echo/Echo")
    call(b"parent ready", timeout=3)

    pid = os.fork()
    if pid == 0:
        child_channel = grpc.insecure_channel(TARGET)
        ok = child_channel.unary_unary("/gf.Echo/Echo")(b"child", timeout=3) == b"child"
        os._exit(0 if ok else 1)

    call(b"parent still working", timeout=3)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        print("child failed")
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
