# hazard: GF201
# fix: Start the server in each child
"""Pre-forking echo server on a Pool: the server is built and bound once in
the parent, then each of two pool workers runs a long task that starts it.
The parent acts as a client.
"""
import multiprocessing
import socket
from concurrent import futures

import grpc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ADDRESS = "127.0.0.1:%d" % free_port()


def echo(request, context):
    return request


def serve(_):
    server.start()
    server.wait_for_termination(timeout=6)


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 1)])
server.add_generic_rpc_handlers(
    (grpc.method_handlers_generic_handler("gf.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}),)
)
server.add_insecure_port(ADDRESS)


def main():
    pool = multiprocessing.Pool(2)
    try:
        for n in range(2):
            pool.apply_async(serve, (n,))
        with grpc.insecure_channel(ADDRESS) as channel:
            grpc.channel_ready_future(channel).result(timeout=3)
            call = channel.unary_unary("/gf.Echo/Echo")
            for n in range(4):
                assert call(b"req %d" % n, timeout=3) == b"req %d" % n
    finally:
        pool.terminate()
        pool.join()
    print("OK")


if __name__ == "__main__":
    main()
