"""Does what uWSGI does without lazy-apps: it reads uwsgi.ini, imports the app module in the
master, then forks the workers; each runs the functions registered with `@postfork`
(uwsgidecorators.py stands in for uWSGI's module), then serves requests. The deployment turns
gRPC's fork support on, as gRPC's fork_support.md advises for programs that fork. Prints OK when
every request worked.
"""
import configparser
import importlib
import os
import sys

os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "1"


def serve(application, worker):
    import uwsgidecorators

    for hook in uwsgidecorators.postfork_hooks:
        hook()
    for request in range(3):
        status = []
        environ = {"PATH_INFO": "/worker/%d/request/%d" % (worker, request)}
        body = b"".join(application(environ, lambda s, h: status.append(s)))
        if status != ["200 OK"] or body != environ["PATH_INFO"].encode():
            raise RuntimeError("bad response: %r %r" % (status, body))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ini = configparser.ConfigParser()
    ini.read(os.path.join(here, "uwsgi.ini"))
    module, name = ini["uwsgi"]["module"].split(":")
    application = getattr(importlib.import_module(module), name)
    pids = []
    for worker in range(int(ini["uwsgi"]["processes"])):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                serve(application, worker)
            except Exception as error:
                print("worker %d failed: %s" % (worker, error))
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
