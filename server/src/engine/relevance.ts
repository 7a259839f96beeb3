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
