// "Can this file matter?", answered once for the editor, the CLI and the workspace scan. The
// answer is the union of what the rules declare (RuleTriggers in rules/rule.ts): a new rule's
// words reach both tests through the registry, so neither can filter out what it reports.
//
// Two questions, two unions:
// - Can a finding be reported in this file? Only if its program holds one of the rules' report
//   needs, or imports a root of the API catalog (the workspace scan's pre-filter, on bytes:
//   workspace/prefilter.ts says why that loses nothing).
// - Can this module or definition change what the walk sees? Only if it mentions an API a rule
//   follows, or a catalog root; otherwise importers and the entry-point walk treat it as opaque.
import { readImports } from './importReader';
import { CHANNEL_FACTORIES, LIBRARY_CLIENT_FACTORIES, MODULES_THAT_LOAD_GRPC, SERVER_FACTORIES } from './model/apiCatalog';
import { RULES } from './rules/registry';

/** Text one of which a file holds, or a module it imports holds, whenever any rule reports there. */
export const REPORT_NEEDS: readonly string[] = [...new Set(RULES.flatMap((rule) => rule.triggers.reportNeeds))];

/** Words of the APIs any rule follows through a program. */
export const FOLLOWED_WORDS: readonly string[] = [...new Set(RULES.flatMap((rule) => rule.triggers.follows))];

const CATALOG_OBJECTS = RULES.some((rule) => rule.triggers.catalogObjects);

/** First components of the modules that make gRPC objects or load grpc (API catalog and setting). */
export function catalogRoots(channelFactories: readonly string[] = []): Set<string> {
  if (!CATALOG_OBJECTS) return new Set();
  const names = [
    ...Object.keys(CHANNEL_FACTORIES), ...Object.keys(SERVER_FACTORIES), ...LIBRARY_CLIENT_FACTORIES,
    ...MODULES_THAT_LOAD_GRPC, ...channelFactories,
  ];
  return new Set(names.map((name) => name.split('.')[0]).filter(Boolean));
}

/** Whether a text mentions anything a rule follows (a substring test: comments count too). */
export type RelevanceTest = (text: string) => boolean;

const tests = new Map<string, RelevanceTest>();

/** The model's relevance test for one `channel-factories` setting (built once per setting). */
export function relevanceTest(channelFactories: readonly string[] = []): RelevanceTest {
  const key = channelFactories.join('\n');
  let test = tests.get(key);
  if (!test) {
    const words = [...new Set([...FOLLOWED_WORDS, ...catalogRoots(channelFactories)])];
    const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
    test = (text) => pattern.test(text);
    // Settings change rarely; a bound keeps a stream of distinct ones from growing the map.
    if (tests.size >= 16) tests.clear();
    tests.set(key, test);
  }
  return test;
}

/** What a file's own bytes say about it, read without a parser. */
export interface TextVerdict {
  /** A finding can be reported in this file on the strength of its own text. */
  mayReport: boolean;
  /** Dotted names of the modules the file's import statements may load (over-approximated). */
  imports: string[];
}

/**
 * One need as a byte search. Searching for a pattern that starts with a common letter is slow, so
 * a need with an underscore (`secure_port`) is first looked for from its underscore (`_port`),
 * which is rare in text, and only then whole.
 */
function byteSearch(need: string): (buffer: Buffer) => boolean {
  const whole = Buffer.from(need);
  const underscore = need.indexOf('_');
  if (underscore <= 0) return (buffer) => buffer.indexOf(whole) >= 0;
  const tail = Buffer.from(need.slice(underscore));
  return (buffer) => buffer.indexOf(tail) >= 0 && buffer.indexOf(whole) >= 0;
}

const NEEDS = REPORT_NEEDS.map(byteSearch);

/**
 * The one text-level "can a finding be reported here?" test: the file holds a rule's report need,
 * or imports a module whose first component is a catalog root (`roots`, from catalogRoots). The
 * workspace scan's pre-filter and the syntax-error notice both ask it; a file it rejects can still
 * matter through a workspace module it imports, which the scan's import closure adds.
 */
export function readTextVerdict(bytes: Uint8Array, roots: ReadonlySet<string>): TextVerdict {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const imports = readImports(buffer);
  if (NEEDS.some((holds) => holds(buffer))) return { mayReport: true, imports };
  const mayReport = imports.some((module) => !module.startsWith('.') && roots.has(module.split('.')[0]));
  return { mayReport, imports };
}
