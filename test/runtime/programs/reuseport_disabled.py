# hazard: GF202
# fix: Add grpc.so_reuseport
"""Two forked workers each run their own server on the same fixed port.
Someone turned port reuse off "to be safe", so only one worker can bind.
"""
import socket
import sys
import time
from concurrent import futures
from multiprocessing import Process

import grpc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ADDRESS = "127.0.0.1:%d" % free_port()


def echo(request, context):
    return request


def serve(ready):
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 1 << 20)],
    )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("gf.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}),)
    )
    server.add_insecure_port(ADDRESS)
    server.start()
    ready.release()
    server.wait_for_termination()


def main():
    from multiprocessing import Semaphore

    ready = Semaphore(0)
    workers = [Process(target=serve, args=(ready,), daemon=True) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        up = 0
        deadline = time.monotonic() + 10
        while up < len(workers):
            if ready.acquire(timeout=0.1):
                up += 1
            elif any(w.exitcode is not None for w in workers) or time.monotonic() > deadline:
                print("a worker did not come up:", [w.exitcode for w in workers])
                sys.exit(1)
        with grpc.insecure_channel(ADDRESS) as channel:
            call = channel.unary_unary("/gf.Echo/Echo")
            for n in range(4):
                assert call(b"req %d" % n, timeout=3) == b"req %d" % n
    finally:
        for w in workers:
            w.terminate()
            w.join(5)
    print("OK")


if __name__ == "__main__":
    main()
