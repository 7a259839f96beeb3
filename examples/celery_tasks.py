"""Celery app with an import-time stub: the prefork pool forks after importing this module (GF104)."""
import grpc
from celery import Celery

app = Celery("tasks", broker="redis://localhost:6379/0")

channel = grpc.insecure_channel("inventory:50051")
reserve = channel.unary_unary("/inventory.Inventory/Reserve")


@app.task
def reserve_item(sku: str) -> bytes:
    return reserve(sku.encode(), timeout=5)
