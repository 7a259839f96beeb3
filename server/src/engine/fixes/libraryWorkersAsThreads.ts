// GF201 where the fork is a library's own worker pool: Keras' `fit(..., use_multiprocessing=True)`
// (and `predict`, `evaluate`, `fit_generator`) forks processes for the data generator while the
// server serves. With `use_multiprocessing=False` Keras feeds the generator from threads of the
// same process: nothing forks, and the `workers=` count still applies. Slower for CPU-bound
// generators, hence unsafe.
import type { Fix } from '../findings';
import { nodeRange } from '../model/sourceFile';
import { field, namedChildren } from '../model/syntax';
import type { ForkSite } from '../model/timeline';

export function libraryWorkersAsThreadsFix(fork: ForkSite, path: string): Fix | undefined {
  if (fork.site.path !== path || !fork.api.endsWith('(use_multiprocessing=True)')) return undefined;
  const args = field(fork.site.node, 'arguments');
  const keyword = args && namedChildren(args).find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === 'use_multiprocessing');
  const value = keyword && field(keyword, 'value');
  if (value?.text !== 'True') return undefined;
  return {
    title: 'Feed the data from threads, not forked processes (`use_multiprocessing=False`)',
    kind: 'libraryWorkersAsThreads',
    applicability: 'unsafe',
    edits: [{ range: nodeRange(value), newText: 'False' }],
  };
}
