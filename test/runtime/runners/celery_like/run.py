"""Does what `celery -A tasks worker` does with its prefork pool: the main process imports
the app module, then forks the pool's processes; each sends worker_process_init, then runs
tasks. The deployment turns gRPC's fork support on, as gRPC's fork_support.md advises for
programs that fork. Prints OK when every task in every process succeeded.
"""
import os
import sys

os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "1"

from celery.signals import worker_process_init  # noqa: E402

import tasks  # noqa: E402


def pool_process(index):
    worker_process_init.send(sender=None)
    for customer in range(3):
        tasks.charge(index * 10 + customer)


def main():
    pids = []
    for index in range(2):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                pool_process(index)
            except Exception as error:
                print("pool process %d failed: %s" % (index, error))
                code = 1
            sys.stdout.flush()
            os._exit(code)
        pids.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    if codes != [0, 0]:
        print("pool processes failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
