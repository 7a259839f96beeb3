"""Celery's worker_process_init signal: receivers run in each pool process after the fork."""


class Signal:
    def __init__(self):
        self.receivers = []

    def connect(self, receiver):
        self.receivers.append(receiver)
        return receiver

    def send(self, sender=None, **named):
        return [(r, r(signal=self, sender=sender, **named)) for r in self.receivers]


worker_process_init = Signal()
