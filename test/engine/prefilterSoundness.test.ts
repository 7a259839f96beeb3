// The workspace scan's pre-filter claims that a file it drops cannot hold a finding
// (workspace/prefilter.ts). This checks the claim on variants of the fixture corpus: each fixture
// has what the rules need removed (renamed, or its lines deleted), then goes through random
// mutations; every variant the pre-filter drops is analysed in full, alone in a folder, and must
// yield no finding. The seed is fixed so a failure replays; FUZZ_SEED picks another.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { after, before, test } from 'node:test';
import { Analyzer } from '../../server/src/engine/analyzer';
import { NOT_ANALYSED } from '../../server/src/engine/findings';
import { REPORT_NEEDS, catalogRoots } from '../../server/src/engine/relevance';
import { RULES } from '../../server/src/engine/rules/registry';
import { prefilter } from '../../server/src/workspace/prefilter';
import { ProjectAnalysis } from '../../server/src/workspace/projectAnalysis';
import { fixtureCorpus } from '../support/fixtureCorpus';
import { mutate, prng } from '../support/fuzzKit';
import { grammarDir } from '../support/paths';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : 12;
/** Enough variants to reach every rule's fixtures, few enough for the fast tier. */
const MAX_VARIANTS = 260;

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every need renamed so that no byte of it survives (`grpc` → `gxpc`), catalog roots as words too. */
function renameNeeds(text: string, roots: ReadonlySet<string>): string {
  let result = text;
  for (let changed = true; changed;) {
    const before = result;
    for (const need of REPORT_NEEDS) result = result.split(need).join(`${need[0]}x${need.slice(2)}`);
    changed = result !== before;
  }
  for (const root of roots) result = result.replace(new RegExp(`\\b${escape(root)}\\b`, 'g'), `${root}_off`);
  return result;
}

/** Every line that holds a need or names a catalog root deleted. */
function deleteNeeds(text: string, roots: ReadonlySet<string>): string {
  const words = [...REPORT_NEEDS, ...roots];
  return text.split('\n').filter((line) => !words.some((word) => line.includes(word))).join('\n');
}

let analyzer: Analyzer;
let folder: string;
before(async () => {
  analyzer = await Analyzer.create(grammarDir);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-prefilter-'));
});
after(() => fs.rmSync(folder, { recursive: true, force: true }));

test(`a file the pre-filter drops yields no finding when analysed in full [seed ${SEED}]`, () => {
  const random = prng(SEED);
  const corpus = fixtureCorpus(new Set(RULES.map((rule) => rule.code)));
  assert.ok(corpus.length > 100, 'the fixture corpus is missing');
  let dropped = 0;
  let kept = 0;
  const failures: string[] = [];
  for (let index = 0; index < MAX_VARIANTS; index++) {
    const fixture = corpus[random.int(corpus.length)];
    const roots = catalogRoots(fixture.config.channelFactories ?? []);
    const original = fs.readFileSync(fixture.path, 'utf8');
    const stripped = random() < 0.5 ? renameNeeds(original, roots) : deleteNeeds(original, roots);
    const bytes = random() < 0.7 ? mutate(random, stripped) : Buffer.from(stripped);
    // The scan refuses what is not UTF-8 before the pre-filter; so does this test.
    if (!isUtf8(bytes) || prefilter(bytes, roots).mayReport) {
      kept++;
      continue;
    }
    dropped++;
    const file = path.join(folder, `variant_${index}.py`);
    fs.writeFileSync(file, bytes);
    const project = new ProjectAnalysis(analyzer, () => fixture.config, folder);
    const findings = project.analyzeFile(file).findings.filter((finding) => finding.code !== NOT_ANALYSED);
    if (findings.length) failures.push(`${path.basename(fixture.path)} (variant ${index}): ${findings.map((f) => `${f.range.start.line + 1}:${f.code}`).join(', ')}\n${bytes.toString('utf8').slice(0, 600)}`);
    fs.rmSync(file);
  }
  assert.deepEqual(failures, [], `the pre-filter dropped files that hold findings [seed ${SEED}]`);
  // Not vacuous: most variants reach the analysis.
  assert.ok(dropped > MAX_VARIANTS / 2, `only ${dropped} variants dropped, ${kept} kept`);
});
