"""Does what gunicorn's arbiter does with preload_app = True: it reads gunicorn.conf.py,
imports the app in the master, then forks the workers; each calls the post_fork hook, if the
configuration has one, then serves requests. The deployment turns gRPC's fork support on, as
gRPC's fork_support.md advises for programs that fork. Prints OK when every request worked.
"""
import importlib
import os
import runpy
import sys

os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "1"


class Worker:
    def __init__(self, age):
        self.age = age
        self.pid = os.getpid()


def serve(config, application, age):
    hook = config.get("post_fork")
    if hook:
        hook(None, Worker(age))
    for request in range(3):
        status = []
        environ = {"PATH_INFO": "/worker/%d/request/%d" % (age, request)}
        body = b"".join(application(environ, lambda s, h: status.append(s)))
        if status != ["200 OK"] or body != environ["PATH_INFO"].encode():
            raise RuntimeError("bad response: %r %r" % (status, body))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    config = runpy.run_path(os.path.join(here, "gunicorn.conf.py"))
    module, name = config["wsgi_app"].split(":")
    application = getattr(importlib.import_module(module), name)
    pids = []
    for age in range(config["workers"]):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                serve(config, application, age)
            except Exception as error:
                print("worker %d failed: %s" % (age, error))
                code = 1
            sys.stdout.flush()
            os._exit(code)
        pids.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    if codes != [0, 0]:
        print("workers failed:", codes)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
