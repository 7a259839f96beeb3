# hazard: GF201
# variant: Use the 'spawn' start method for the whole program (set_start_method under __main__)
# expect: ok
"""Supervisor: serves its own status endpoint, forks two workers that each
start an echo server on a free port and report it through a Queue, then
checks every worker and its own status endpoint.
"""
import multiprocessing
import sys
from concurrent import futures

import grpc


def echo(request, context):
    return request


def handlers():
    return (grpc.method_handlers_generic_handler("gf.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}),)


def worker(n, ports, done):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers(handlers())
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    ports.put((n, port))
    done.wait(15)
    server.stop(0)


def call(port, payload):
    with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
        return channel.unary_unary("/gf.Echo/Echo")(payload, timeout=3)


def main():
    status = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    status.add_generic_rpc_handlers(handlers())
    status_port = status.add_insecure_port("127.0.0.1:0")
    status.start()
    ports = multiprocessing.Queue()
    done = multiprocessing.Event()
    workers = [multiprocessing.Process(target=worker, args=(n, ports, done)) for n in range(2)]
    for w in workers:
        w.start()
    try:
        reported = dict(ports.get(timeout=5) for _ in workers)
        for n, port in sorted(reported.items()):
            assert call(port, b"worker %d" % n) == b"worker %d" % n
        assert call(status_port, b"status") == b"status"
    finally:
        done.set()
        for w in workers:
            w.join(5)
        status.stop(0)
    if [w.exitcode for w in workers] != [0, 0]:
        print("workers failed:", [w.exitcode for w in workers])
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    main()
