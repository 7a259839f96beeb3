# hazard: GF101 GF102
# fix: Create the channel in the child
# fix: Enable gRPC fork support
"""Forks a helper that warms the service's cache while the parent goes on
serving its own requests over the same client.
"""
import os
import sys

import grpc

TARGET = os.environ["GF_TARGET"]


def main():
    channel = grpc.insecure_channel(TARGET)
    echo = channel.unary_unary("/gf.Echo/Echo")
    echo(b"hello", timeout=3)

    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            for key in range(3):
                echo(("warm %d" % key).encode(), timeout=3)
        except Exception as exc:
            print("child failed:", exc, file=sys.stderr)
            status = 1
        os._exit(status)

    for n in range(3):
        echo(("parent request %d" % n).encode(), timeout=3)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print("child exited with", code)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
