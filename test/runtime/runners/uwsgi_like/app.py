"""A WSGI app served by uWSGI without lazy-apps (see uwsgi.ini): loaded once in the master."""
import os

import grpc

channel = grpc.insecure_channel(os.environ["GF_TARGET"])
echo = channel.unary_unary("/gf.Echo/Echo")


def application(environ, start_response):
    reply = echo(environ["PATH_INFO"].encode(), timeout=3)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [reply]
