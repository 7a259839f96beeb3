"""Patches grpc and grpc.aio as soon as their modules have run, through a meta path finder that
lets the normal finders find them and only wraps the loader's exec_module for that one load."""
import sys

from . import environment, objects, stacks


def _after_grpc(module, stack):
    environment.on_grpc_import(stack)
    objects.patch_grpc(module)


def _after_grpc_aio(module, stack):
    objects.patch_grpc_aio(module)


_HOOKS = {"grpc": _after_grpc, "grpc.aio": _after_grpc_aio}


class GrpcImportWatcher(object):
    """Answers no import itself: returns the spec the other finders give, loader unchanged."""

    def find_spec(self, name, path=None, target=None):
        hook = _HOOKS.get(name)
        if hook is None:
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, GrpcImportWatcher):
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                continue
            spec = find_spec(name, path, target)
            if spec is not None:
                break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        _hook_exec(spec.loader, hook)
        return spec

    def invalidate_caches(self):
        pass


def _hook_exec(loader, hook):
    original = loader.exec_module

    def exec_module(module):
        try:
            original(module)
        finally:
            try:
                del loader.exec_module  # back to the class's method
            except AttributeError:
                pass
        try:
            hook(module, stacks.capture())
        except Exception:
            pass

    try:
        loader.exec_module = exec_module
    except (AttributeError, TypeError):
        pass


def install():
    if not any(isinstance(finder, GrpcImportWatcher) for finder in sys.meta_path):
        sys.meta_path.insert(0, GrpcImportWatcher())
