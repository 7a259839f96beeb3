"""Billing tasks, run by `celery -A tasks worker` (the prefork pool, Celery's default)."""
import os

import grpc
from celery import Celery

app = Celery("billing")
channel = grpc.insecure_channel(os.environ["GF_TARGET"])
charge_rpc = channel.unary_unary("/gf.Echo/Echo")


@app.task
def charge(customer_id):
    reply = charge_rpc(("charge %d" % customer_id).encode(), timeout=3)
    return reply.decode()
