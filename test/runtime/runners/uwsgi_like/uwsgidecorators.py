"""A stand-in for uWSGI's uwsgidecorators (uWSGI is not installed here): `@postfork` registers
a function that each worker runs right after the master forks it; run.py runs them.
"""
postfork_hooks = []


def postfork(function):
    postfork_hooks.append(function)
    return function
