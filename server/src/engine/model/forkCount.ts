// How many children a fork site makes: "one" or "several". A pool or process-pool executor
// makes several unless its worker count is literally 1; a Process start or os.fork() makes
// several when it sits in a loop or comprehension (or is reached from one).
import type { Node } from 'web-tree-sitter';
import { field, namedChildren } from './syntax';
import type { ForkSite, Site } from './timeline';

/** Statements and expressions whose body runs several times. */
export const LOOPS = ['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'];

export function makesSeveralChildren(fork: ForkSite): boolean {
  if (fork.product === 'manager') return false;
  if ([fork.site, fork.origin, ...fork.chain].some(inLoop)) return true;
  if (fork.product === 'pool' || fork.product === 'executor') return !literallyOneWorker(fork.origin.node, fork.product);
  return false;
}

/** Inside a loop of the function (or module) that contains the site. */
function inLoop(site: Site): boolean {
  for (let node = site.node.parent; node; node = node.parent) {
    if (node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition') return false;
    if (LOOPS.includes(node.type)) return true;
  }
  return false;
}

function literallyOneWorker(call: Node, product: 'pool' | 'executor'): boolean {
  if (call.type !== 'call') return false;
  const args = namedChildren(field(call, 'arguments') ?? call).filter((a) => a.type !== 'comment');
  const name = product === 'pool' ? 'processes' : 'max_workers';
  const keyword = args.find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === name);
  const value = keyword ? field(keyword, 'value') : args.find((a) => a.type !== 'keyword_argument');
  return value?.type === 'integer' && Number(value.text.replace(/_/g, '')) === 1;
}
