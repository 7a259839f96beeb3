"""Run-time probe of gRPC Fork Guard: records the gRPC channels and servers a Python process
creates, the forks it makes and what each child inherits and uses, as JSON lines appended to the
file that GRPC_FORK_GUARD_REPORT names. `grpc-fork-guard run` turns those lines into findings.

Plain Python 3.8+, standard library only. Every hook calls the original first or last and swallows
its own errors, so the program behaves as it would without the probe.
"""
from . import environment, forks, importhook, report


def install():
    if not report.enabled():
        return
    environment.install()
    forks.install()
    importhook.install()
