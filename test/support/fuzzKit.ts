// Shared pieces of the hostile-input tier: a seeded PRNG (the seed is printed, so a failure can be
// replayed with FUZZ_SEED=<seed>), the iteration count (FUZZ_ITERATIONS: small inside `npm test`,
// large under `npm run fuzz`), the memory bound, and mutations of source text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesDir } from './paths';

export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0;
/** 1 inside `npm test`; `npm run fuzz` raises it. */
export const FUZZ_ITERATIONS = Math.max(1, Number(process.env.FUZZ_ITERATIONS ?? 1) || 1);
/** The long run (`npm run fuzz`) mutates every fixture; the bounded run a seeded sample of them. */
export const FUZZ_LONG = FUZZ_ITERATIONS > 1;
/** Resident memory the server may reach on any input. */
export const MAX_RSS_KB = Number(process.env.FUZZ_MAX_RSS_MB ?? 1536) * 1024;

export type Random = { (): number; int(below: number): number; pick<T>(items: readonly T[]): T };

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): Random {
  let state = seed >>> 0;
  const next = (() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (below) => Math.floor(next() * below);
  next.pick = (items) => items[next.int(items.length)];
  return next;
}

/** Says how to replay a failure; appended to assertion messages. */
export function replay(caseName: string): string {
  return `[${caseName}; replay with FUZZ_SEED=${FUZZ_SEED}${FUZZ_ITERATIONS > 1 ? ` FUZZ_ITERATIONS=${FUZZ_ITERATIONS}` : ''}]`;
}

export function randomBytes(random: Random, maxLength: number): Buffer {
  const bytes = Buffer.alloc(random.int(maxLength + 1));
  for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
  return bytes;
}

/** Byte flips, truncations, line duplications, deletions and swaps: one to three per call. */
export function mutate(random: Random, text: string): Buffer {
  let bytes = Buffer.from(text, 'utf8');
  for (let n = 1 + random.int(3); n > 0; n--) {
    const kind = random.int(5);
    if (kind === 0 && bytes.length) {
      for (let flips = 1 + random.int(8); flips > 0; flips--) bytes[random.int(bytes.length)] ^= 1 << random.int(8);
    } else if (kind === 1) {
      bytes = bytes.subarray(0, random.int(bytes.length + 1));
    } else {
      const lines = bytes.toString('latin1').split('\n');
      const at = random.int(lines.length);
      if (kind === 2) lines.splice(at, 0, ...Array(1 + random.int(5)).fill(lines[at]));
      else if (kind === 3) lines.splice(at, 1 + random.int(3));
      else {
        const other = random.int(lines.length);
        [lines[at], lines[other]] = [lines[other], lines[at]];
      }
      bytes = Buffer.from(lines.join('\n'), 'latin1');
    }
  }
  return bytes;
}

/** Every Python fixture (the long run) or a seeded sample of `sample` of them. */
export function fixtureSample(random: Random, sample: number): string[] {
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.py')) all.push(full);
    }
  };
  walk(fixturesDir);
  all.sort();
  if (FUZZ_LONG) return all;
  const chosen = new Set<string>();
  while (chosen.size < Math.min(sample, all.length)) chosen.add(random.pick(all));
  return [...chosen];
}

/** Source text nested `depth` levels deep, in each way the brief lists. */
export function deeplyNested(kind: 'parentheses' | 'brackets' | 'if' | 'def' | 'lambda' | 'with' | 'chain' | 'sum', depth: number): string {
  const indent = (level: number) => ' '.repeat(level);
  switch (kind) {
    case 'parentheses':
      return `import grpc\nx = ${'('.repeat(depth)}grpc.insecure_channel("h")${')'.repeat(depth)}\n`;
    case 'brackets':
      return `x = ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
    case 'if':
      return `import grpc, os\n${Array.from({ length: depth }, (_, i) => `${indent(i)}if x:\n`).join('')}${indent(depth)}ch = grpc.insecure_channel("h")\nos.fork()\n`;
    case 'def':
      return `import grpc, os\n${Array.from({ length: depth }, (_, i) => `${indent(i)}def f${i}():\n`).join('')}${indent(depth)}return grpc.insecure_channel("h")\nos.fork()\n`;
    case 'lambda':
      return `import grpc\nf = ${'lambda: '.repeat(depth)}grpc.insecure_channel("h")\n`;
    case 'with':
      return `import grpc, os\n${Array.from({ length: depth }, (_, i) => `${indent(i)}with open("f${i}") as f${i}:\n`).join('')}${indent(depth)}ch = grpc.insecure_channel("h")\nos.fork()\n`;
    case 'chain':
      return `import grpc\nch = grpc.insecure_channel("h")${'.with_call()'.repeat(depth)}\n`;
    case 'sum':
      return `import grpc, os\nch = grpc.insecure_channel("h")\nx = ${Array.from({ length: depth }, (_, i) => `ch.m${i % 10}`).join(' + ')}\nos.fork()\n`;
  }
}
