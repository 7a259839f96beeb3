// Whether a module's text can matter to any rule on its own: it mentions gRPC (or a library that
// runs on it), a fork API, multiprocessing, the fork-support variables, or a prefork runner. A
// module that does not, and imports no module that does, creates no gRPC object, forks nothing
// and writes no gRPC variable at import time, so importers may treat it as opaque.
import { CHANNEL_FACTORIES, LIBRARY_CLIENT_FACTORIES } from './apiCatalog';

const WORDS = [
  'grpc', 'GRPC_', 'fork', 'multiprocessing', 'ProcessPoolExecutor', 'Process', 'Pool', 'concurrent',
  'celery', 'Celery', 'shared_task', 'gunicorn', 'functions_framework', 'uwsgi', 'environ', 'putenv',
  ...new Set([...LIBRARY_CLIENT_FACTORIES, ...Object.keys(CHANNEL_FACTORIES)].map((name) => name.split('.')[0])),
];

const PATTERN = new RegExp(WORDS.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

export function mentionsTriggers(text: string, extraNames: readonly string[] = []): boolean {
  if (PATTERN.test(text)) return true;
  return extraNames.some((name) => text.includes(name.split('.')[0]));
}
