# hazard: GF203
# fix: Move options to grpc.server
"""Runs an echo server that accepts large messages and checks it with a
5 MiB request (the default limit is 4 MiB).
"""
import sys
from concurrent import futures

import grpc


def echo(request, context):
    return request


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.max_receive_message_length", 8 * 1024 * 1024)])
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("gf.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        payload = b"x" * (5 * 1024 * 1024)
        with grpc.insecure_channel(
            "127.0.0.1:%d" % port, options=[("grpc.max_receive_message_length", 8 * 1024 * 1024)]
        ) as channel:
            reply = channel.unary_unary("/gf.Echo/Echo")(payload, timeout=3)
        if reply != payload:
            sys.exit(1)
    finally:
        server.stop(0)
    print("OK")


if __name__ == "__main__":
    main()
