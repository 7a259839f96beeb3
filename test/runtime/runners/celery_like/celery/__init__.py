"""A stand-in for the few parts of Celery the program uses (Celery is not installed here)."""


class Celery:
    def __init__(self, main=None, **options):
        self.main = main
        self.tasks = {}

    def task(self, function):
        self.tasks[function.__name__] = function
        return function
