# hazard: GF204
# fix: Use a thread pool
"""CPU-heavy service: the author gave the server a process pool hoping to
use every core, then checks it with a client call.
"""
import sys
from concurrent import futures

import grpc


def echo(request, context):
    return request


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("gf.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
            reply = channel.unary_unary("/gf.Echo/Echo")(b"work item", timeout=3)
        if reply != b"work item":
            sys.exit(1)
    finally:
        server.stop(0)
    print("OK")


if __name__ == "__main__":
    main()
