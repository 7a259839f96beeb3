# hazard: GF203
# fix: Remove the arguments the port method does not take
"""Plugin host: plugins register a hook that the host calls with its server
once the server is built. This plugin opens its port there, and its author
passed channel-style options to the port, which takes none.
"""
import sys
from concurrent import futures

import grpc

PORT_OPTIONS = [("grpc.so_reuseport", 0)]
SERVER_HOOKS = []


def on_server_built(hook):
    SERVER_HOOKS.append(hook)
    return hook


@on_server_built
def open_port(server):
    return server.add_insecure_port("127.0.0.1:0")


def echo(request, context):
    return request


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("gf.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}),)
    )
    [port] = [hook(server) for hook in SERVER_HOOKS]
    server.start()
    try:
        with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
            reply = channel.unary_unary("/gf.Echo/Echo")(b"plugin", timeout=3)
        if reply != b"plugin":
            sys.exit(1)
    finally:
        server.stop(0)
    print("OK")


if __name__ == "__main__":
    main()
