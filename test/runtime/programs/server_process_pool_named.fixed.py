# hazard: GF204
# fix: Use a thread pool
"""Thumbnail service: the pool is made once and named, then handed to the
server, in the hope that handlers would run on every core. A client call
checks it.
"""
import sys
from concurrent import futures

import grpc

WORKERS = futures.ThreadPoolExecutor(max_workers=2)


def echo(request, context):
    return request


def build_server():
    server = grpc.server(WORKERS)
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("gf.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}),)
    )
    return server


def main():
    server = build_server()
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
            reply = channel.unary_unary("/gf.Echo/Echo")(b"thumbnail", timeout=3)
        if reply != b"thumbnail":
            sys.exit(1)
    finally:
        server.stop(0)
    print("OK")


if __name__ == "__main__":
    main()
