// GF104's other fix: the module's client is made in the pre-forking runner's own per-worker hook,
// the way projects that run under these runners write it: Celery's `worker_process_init` signal,
// uWSGI's `@postfork` decorator, or gunicorn's `post_fork(server, worker)` in the configuration
// file the runner reads (it calls a function of the module, imported inside the hook). The module
// keeps the names, bound to None until the hook runs, so its functions read the worker's client.
import type { Node } from 'web-tree-sitter';
import type { FileEdits, Fix, TextEdit } from '../findings';
import type { RunnerFact } from '../model/runners';
import { field, identifiersNamed, namedChildren } from '../model/syntax';
import { GrpcObject, Timeline, sharesRoot } from '../model/timeline';
import { ChannelBinding, bindingSource, leadingComments, trailingComment } from './channelBinding';
import { replaceBindingRun, roleOf, shadowedIn } from './perProcessAccessor';
import type { EditContext } from './editContext';
import { detectIndentUnit, point, uniqueName } from './pythonEdits';
import { TextLines } from './textLines';

/** The runner whose hook makes the client, as GF104 found it. */
export type RunnerHook =
  | { runner: 'celery' }
  | { runner: 'uwsgi' }
  | { runner: 'gunicorn'; fact: RunnerFact };

/** What decides whether the hook can replace the import-time client. */
export interface HookContext {
  timeline: Timeline;
  /** Whether another module imports `name` from this one (its copy would stay None). */
  importersUse(name: string): boolean;
}

export function runnerHookFix(edits: EditContext, binding: ChannelBinding, object: GrpcObject, hook: RunnerHook, context: HookContext): Fix | undefined {
  if (!binding.global || !onlyReadAfterImport(edits, binding, object, context)) return undefined;
  const names = [...binding.names];
  const base = names[names.length - 1].replace(/^_+/, '');
  const init = uniqueName(edits.moduleNames(), `init_${base}`);
  const unit = edits.indentUnit;
  const body = [
    `${unit}"""Make the gRPC client in each worker process, after the fork."""`,
    `${unit}global ${names.join(', ')}`,
    ...bindingSource(edits, binding, true).slice(leadingComments(binding.statement).length).map((line) => (line ? `${unit}${line}` : line)),
  ];
  const placeholders = [`# Made in each worker process by ${init}(): a channel must not cross fork().`, ...names.map((n) => `${n} = None`), '', ''];
  switch (hook.runner) {
    case 'celery': {
      const signal = ensureFromImport(edits, 'celery.signals', 'worker_process_init');
      return {
        title: `Create \`${base}\` in each worker process (Celery \`worker_process_init\`)`,
        kind: 'runnerHook',
        applicability: 'unsafe',
        edits: [...signal.edits, ...replaceBindingRun(edits, binding, [...placeholders, `@${signal.name}.connect`, `def ${init}(**kwargs):`, ...body])],
      };
    }
    case 'uwsgi': {
      const postfork = ensureFromImport(edits, 'uwsgidecorators', 'postfork');
      return {
        title: `Create \`${base}\` in each worker process (uWSGI \`@postfork\`)`,
        kind: 'runnerHook',
        applicability: 'unsafe',
        edits: [...postfork.edits, ...replaceBindingRun(edits, binding, [...placeholders, `@${postfork.name}`, `def ${init}():`, ...body])],
      };
    }
    case 'gunicorn': {
      const config = hook.fact.configText;
      const module = moduleName(edits.file.path, hook.fact.configPath);
      if (config === undefined || !module) return undefined;
      return {
        title: `Create \`${base}\` in each worker process (gunicorn \`post_fork\` in ${baseName(hook.fact.configPath)})`,
        kind: 'runnerHook',
        applicability: 'unsafe',
        edits: replaceBindingRun(edits, binding, [...placeholders, `def ${init}():`, ...body]),
        otherFiles: [postForkEdits(hook.fact.configPath, config, `from ${module} import ${init}`, `${init}()`)],
      };
    }
  }
}

/**
 * The hook runs only in the workers: the fix holds when every read of the names is inside a
 * function that import time does not call, no other code rebinds them, and no other module
 * imports them (it would keep the None).
 */
function onlyReadAfterImport(edits: EditContext, binding: ChannelBinding, object: GrpcObject, context: HookContext): boolean {
  const end = context.timeline.events.findIndex((e) => e.kind === 'importTimeEnd');
  const usedAtImport = context.timeline.events.slice(0, end < 0 ? undefined : end)
    .some((e) => (e.kind === 'parentUse' || e.kind === 'use') && sharesRoot(e.object, object));
  if (usedAtImport) return false;
  const moved = [binding.statement, ...binding.derived];
  for (const name of binding.names) {
    if (context.importersUse(name)) return false;
    for (const id of identifiersNamed(edits.file.tree.rootNode, edits.file.text, name)) {
      if (moved.some((s) => id.startIndex >= s.startIndex && id.endIndex <= s.endIndex)) continue;
      const role = roleOf(id);
      if (role === 'other' || (role === 'read' && shadowedIn(id, name))) continue;
      if (role === 'write' || !inFunctionBody(id)) return false;
    }
  }
  return true;
}

function inFunctionBody(node: Node): boolean {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === 'function_definition' && field(parent, 'body')?.id === child.id) return true;
  }
  return false;
}

/**
 * The name under which `from module import name` binds `name`, adding that import after the
 * module's last top-level import (or as its first statement) when there is none.
 */
function ensureFromImport(edits: EditContext, module: string, name: string): { name: string; edits: TextEdit[] } {
  const statements = namedChildren(edits.file.tree.rootNode);
  for (const statement of statements) {
    if (statement.type !== 'import_from_statement' || field(statement, 'module_name')?.text !== module) continue;
    for (const imported of namedChildren(statement).slice(1)) {
      if (imported.type === 'dotted_name' && imported.text === name) return { name, edits: [] };
      if (imported.type === 'aliased_import' && field(imported, 'name')?.text === name) return { name: field(imported, 'alias')!.text, edits: [] };
    }
  }
  // The neighbour's `# noqa: E402` is the file's convention for imports below code: the new one follows it.
  const line = (neighbour: Node | undefined) => {
    const noqa = neighbour && trailingComment(neighbour);
    return `from ${module} import ${name}${noqa && /^#\s*noqa\b/i.test(noqa.text) ? `  ${noqa.text}` : ''}${edits.eol}`;
  };
  // Beside the imports of the same package when there are some (isort's order), else at the end of the import block.
  const imports = statements.filter((s) => s.type === 'import_statement' || s.type === 'import_from_statement');
  const root = module.split('.')[0];
  const samePackage = imports.filter((s) => (field(s, 'module_name') ?? namedChildren(s)[0])?.text.split('.')[0] === root);
  const after = samePackage.find((s) => s.type === 'import_from_statement' && field(s, 'module_name')!.text > module);
  if (after) return { name, edits: [{ range: point(after.startPosition.row, 0), newText: line(after) }] };
  const last = samePackage[samePackage.length - 1];
  // Else in its section of the import block (celery, gunicorn, uwsgi are third-party packages).
  if (!last) return { name, edits: [edits.addImport(module, `from ${module} import ${name}`, true)] };
  return { name, edits: [{ range: point(last.endPosition.row + 1, 0), newText: line(last) }] };
}

/** `pkg.mod` for `<config folder>/pkg/mod.py` (gunicorn puts its working folder on sys.path). */
export function moduleName(modulePath: string, configPath: string): string | undefined {
  const folder = configPath.replace(/[^\\/]*$/, '');
  if (!modulePath.startsWith(folder) || !/\.py$/.test(modulePath)) return undefined;
  const parts = modulePath.slice(folder.length, -3).split(/[\\/]/);
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.length > 0 && parts.every((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) ? parts.join('.') : undefined;
}

function baseName(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}

/**
 * The edits to gunicorn's configuration file: the calls go at the end of its `post_fork`, or a
 * new `post_fork(server, worker)` is added at the end of the file. The file is read line by line
 * (a configuration file is flat: settings and hook functions).
 */
export function postForkEdits(path: string, text: string, ...calls: string[]): FileEdits {
  // Another file than the analysed one: its own lines, end-of-line and indentation unit.
  const { lines, eol } = new TextLines(text);
  const unit = detectIndentUnit(lines);
  const start = lines.findIndex((l) => /^def\s+post_fork\s*\(/.test(l));
  if (start >= 0) {
    let last = start;
    let indent = unit;
    for (let row = start + 1; row < lines.length; row++) {
      if (lines[row].trim() === '') continue;
      if (!/^[ \t]/.test(lines[row])) break;
      if (last === start) indent = /^[ \t]*/.exec(lines[row])![0];
      last = row;
    }
    const returns = /^\s*return\b/.test(lines[last]) && last > start;
    const at = returns ? point(last, 0) : point(last, lines[last].length);
    const newText = returns ? calls.map((c) => `${indent}${c}${eol}`).join('') : calls.map((c) => `${eol}${indent}${c}`).join('');
    return { path, edits: [{ range: at, newText }] };
  }
  // Two blank lines before the new function (PEP 8), counting those the file already ends with.
  let end = lines.length - 1;
  while (end > 0 && lines[end] === '') end--;
  const hook = ['def post_fork(server, worker):', ...calls.map((c) => `${unit}${c}`)];
  const prefix = lines[end].trim() === '' ? '' : eol.repeat(3);
  const endsWithNewline = end < lines.length - 1;
  return { path, edits: [{ range: point(end, lines[end].length), newText: `${prefix}${hook.join(eol)}${endsWithNewline ? '' : eol}` }] };
}
