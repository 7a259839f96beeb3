// The fixes for a channel that crosses a fork (GF101, GF102, GF103), chosen from how the parent
// and the children use it (SPEC §3 and its measurements on grpcio 1.51):
// - the parent does not need it after the fork and no child uses it → scope it to a `with` block
//   that ends before the fork, else close it before the fork;
// - pool tasks use it → a per-worker channel made by the pool's initializer;
// - one worker function uses it → create it at the top of that function;
// - the parent used it before the fork → the fix also closes the parent's channel before the
//   fork; if the parent keeps using it after the fork, the title says fork support is needed too;
// - the targets are top-level functions → switch the fork site to the 'spawn' start method.
import type { Node } from 'web-tree-sitter';
import type { EngineConfig } from '../config';
import type { Fix, TextEdit } from '../findings';
import { enclosingFunction, field, namedChildren } from '../model/syntax';
import { objectAnchor } from '../model/anchors';
import { ForkSite, GrpcObject, Site, Timeline, rootOf, sharesRoot } from '../model/timeline';
import { ChannelBinding, bindingSource, channelBinding, childUses, parentUses, usedName } from './channelBinding';
import { perProcessAccessorFix } from './perProcessAccessor';
import type { EditContext } from './editContext';
import { freeNames, uniqueName } from './pythonEdits';
import { ENABLE_FORK_SUPPORT_TITLE, enableForkSupportEdits } from './enableForkSupport';
import { spawnStartMethodFix } from './spawnStartMethod';
import { closable } from './closableClients';
import { withBlockFix } from './withBlock';
import { enclosingBinding, targetShapeFixes } from './targetShapeFixes';
import { aioChannelAfterForkFix } from './aioChannelAfterFork';

export interface ChannelFixInput {
  edits: EditContext;
  timeline: Timeline;
  config: EngineConfig;
  object: GrpcObject;
  fork: ForkSite;
  anchor: Site;
  /** aio channels: fork support does not apply. */
  aio: boolean;
  /** GF101 offers "Enable gRPC fork support" on its own; for GF102 it fixes nothing. */
  offerForkSupport?: boolean;
}

export function channelFixes(input: ChannelFixInput): Fix[] {
  const { edits, timeline, object, fork } = input;
  const fixes: Fix[] = [];
  let support: TextEdit[] | undefined | null = null;
  const forkSupport = () => (support === null ? (support = enableForkSupportEdits(edits, timeline)) : support);
  // Bind from the channel at the bottom (so a stub's fix moves its channel too), else from the object.
  const root = rootOf(object);
  const rootBinding = root !== object ? channelBinding(edits, root, fork, objectAnchor(root, fork)) : undefined;
  const direct = rootBinding ?? channelBinding(edits, object, fork, input.anchor);
  // A channel made inside a stub's constructor call is reached through the stub's name (never closed through it).
  const binding = direct ?? enclosingBinding(edits, object, fork, input.anchor);
  const bindsChannel = direct !== undefined && (rootBinding !== undefined || root === object) && root.kind === 'channel';
  const uses = parentUses(timeline, object, fork);
  const inChildren = childUses(timeline, object, fork);
  // A child of this fork or of a later one that still calls it would find it closed (by a close
  // before the fork, or by fork support in the child).
  const usedInAnyChild = timeline.events.some((e) => e.kind === 'use' && sharesRoot(e.object, object));
  let closeEdit: TextEdit | undefined;
  let shapesTried = false;
  if (binding) {
    // Only a name bound to the channel itself, or to a client known to have close(), can be closed:
    // a name bound to a client (a wrapper instance) is closed only when the client has close().
    const right = field(namedChildren(binding.statement)[0], 'right');
    const bindsClient = object.kind === 'client' && object.creation.path === edits.file.path && right?.id === object.creation.node.id;
    const canClose = bindsClient ? closable(edits, object) : bindsChannel;
    const close = canClose ? closeBeforeFork(edits, binding, fork) : undefined;
    closeEdit = !uses.after && !input.aio ? close : undefined;
    if (close && !input.aio && !uses.after && !usedInAnyChild) {
      const scoped = bindsChannel && !bindsClient ? withBlockFix(edits, binding) : undefined;
      if (scoped) fixes.push(scoped);
      fixes.push({ title: `Close \`${binding.name}\` before the fork`, kind: 'closeBeforeFork', applicability: 'safe', edits: [close] });
    }
    // Used by the children of a later fork only: one per process, through the accessor.
    const perWorker = inChildren.length > 0 ? perProcess(input, binding, inChildren, uses.before || uses.after, !uses.after && !input.aio ? close : undefined)
      : usedInAnyChild ? accessorFix(input, binding) : undefined;
    const closes = perWorker !== undefined && close !== undefined && perWorker.edits.includes(close);
    // A move that leaves the parent's channel open at the fork: a shape below may do the whole job.
    // (An accessor the parent never calls leaves no channel of the parent's.)
    const parentFree = perWorker?.kind === 'perProcessAccessor' && !uses.before;
    const shaped = perWorker && (closes || uses.after || parentFree) ? []
      : targetShapeFixes({ edits, timeline, object, anchor: input.anchor.node, binding, uses: inChildren, closeEdit, aio: input.aio });
    fixes.push(...shaped);
    shapesTried = true;
    if (perWorker) {
      if (uses.after && !input.aio) {
        // The parent keeps its used channel across the fork: a child's new channel then works only
        // with fork support on (SPEC §1, measured on grpcio 1.51), so this fix does both halves.
        const support = forkSupport();
        if (support?.length) fixes.push({ ...perWorker, title: `${perWorker.title} and enable gRPC fork support`, edits: mergeEdits(perWorker.edits, support) });
        else fixes.push({ ...perWorker, title: `${perWorker.title} (the parent keeps using its channel: also enable gRPC fork support)`, partial: true });
      } else {
        // GF101's hazard is the parent's object at the fork: a fix that leaves it open does half the job.
        const half = !closes && input.offerForkSupport && !parentFree ? ` (the parent's ${noun(root)} stays open at the fork: also close it or enable gRPC fork support)` : '';
        fixes.push({ ...perWorker, title: `${perWorker.title}${closes ? ' and close the parent\'s before the fork' : half}`, ...(half ? { partial: true } : {}) });
      }
    }
  }
  // Closures, arguments, default values, Process subclasses, accessors: the shapes the moves above do not reach.
  if (!shapesTried) fixes.push(...targetShapeFixes({ edits, timeline, object, anchor: input.anchor.node, binding, uses: inChildren, closeEdit, aio: input.aio }));
  // Never when a child uses the parent's channel: fork support closes it in the child (SPEC §1),
  // so every call the child makes on it then fails with "Cannot invoke RPC on closed channel".
  if (!input.aio && input.offerForkSupport && !usedInAnyChild) {
    const support = forkSupport();
    if (support?.length) fixes.push({ title: ENABLE_FORK_SUPPORT_TITLE, kind: 'enableForkSupport', applicability: 'unsafe', edits: support });
  }
  if (input.aio) {
    const after = aioChannelAfterForkFix(edits, object, fork, input.anchor);
    if (after) fixes.push(after);
  }
  const spawn = spawnStartMethodFix(edits, timeline, fork, object);
  if (spawn) fixes.push(spawn);
  const hazard = `channel:${rootOf(object).id}:${fork.id}`;
  return fixes.map((fix) => ({ ...fix, hazard }));
}

function noun(object: GrpcObject): string {
  return object.kind === 'client' ? 'client' : object.kind === 'stub' ? 'stub' : 'channel';
}

/** Edits of two fixes made as one; a second `import os` is dropped when both add one. */
function mergeEdits(first: TextEdit[], second: TextEdit[]): TextEdit[] {
  const addsImport = (e: TextEdit) => /^(\r?\n)?import os(\r?\n)+$/.test(e.newText);
  const secondImports = second.some((e) => e.newText.includes('import os'));
  return [...first.filter((e) => !(secondImports && addsImport(e))), ...second];
}

/**
 * The shape of "create it in the child": a per-process accessor when the parent uses the object
 * too (both need one), else a pool initializer or a move into the worker function.
 */
function perProcess(input: ChannelFixInput, binding: ChannelBinding, uses: UseEvent[], parentUsesIt: boolean, closeEdit: TextEdit | undefined): Fix | undefined {
  const accessor = () => accessorFix(input, binding);
  // The parent done with it before the fork: closing it there and creating it in the child is smaller.
  if (parentUsesIt && !closeEdit) return accessor() ?? createInChild(input, binding, uses, closeEdit);
  return createInChild(input, binding, uses, closeEdit) ?? accessor();
}

function accessorFix(input: ChannelFixInput, binding: ChannelBinding): Fix | undefined {
  // The parent's own channel moves behind the accessor too, so there is no name left to close.
  return perProcessAccessorFix(input.edits, binding, (name, accessor) => `Create \`${name}\` in each process (per-process accessor \`${accessor}()\`)`);
}

/** `channel.close()` right before the statement that forks (before the loop that contains it). */
function closeBeforeFork(edits: EditContext, binding: ChannelBinding, fork: ForkSite): TextEdit | undefined {
  if (fork.site.path !== edits.file.path) return undefined;
  let statement = edits.statementOf(fork.site.node);
  while (statement.parent?.type === 'block' && ['for_statement', 'while_statement'].includes(statement.parent.parent?.type ?? '')) {
    statement = edits.statementOf(statement.parent.parent!);
  }
  if (!binding.global && enclosingFunction(statement)?.id !== enclosingFunction(binding.statement)?.id) return undefined;
  if (statement.startIndex < binding.statement.endIndex) return undefined;
  return edits.insertBefore(statement, [`${binding.name}.close()`]);
}

type UseEvent = ReturnType<typeof childUses>[number];

function createInChild(input: ChannelFixInput, binding: ChannelBinding, uses: UseEvent[], closeEdit: TextEdit | undefined): Fix | undefined {
  const { edits, fork } = input;
  const source = bindingSource(edits, binding);
  const branch = forkBranchFix(edits, binding, uses, source, closeEdit);
  if (branch !== null) return branch;
  const available = edits.moduleNames();
  // What the moved statements read must exist in the child's scope: module-level names only.
  const reads = [binding.statement, ...binding.derived].flatMap((s) => [...freeNames(field(namedChildren(s)[0], 'right') ?? s)]);
  if (reads.some((name) => !available.has(name) && !binding.names.has(name) && !BUILTINS.has(name))) return undefined;
  const extra = closeEdit ? [closeEdit] : [];

  const taskUses = uses.filter((u) => u.entry.how === 'task');
  if ((fork.product === 'pool' || fork.product === 'executor') && taskUses.length > 0 && binding.global) {
    const poolCall = fork.product === 'executor' ? fork.origin.node : fork.site.node;
    if (namedChildren(field(poolCall, 'arguments') ?? poolCall).some((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === 'initializer')) return undefined;
    if (taskUses.some((u) => !binding.names.has(usedName(u.site.node)))) return undefined;
    const initializer = uniqueName(available, `_init_worker_${binding.name}`);
    const last = binding.derived[binding.derived.length - 1] ?? binding.statement;
    const unit = edits.indentUnit;
    const definition = [
      '', '',
      `def ${initializer}():`,
      `${unit}"""Gives each worker process its own gRPC channel, made after the fork."""`,
      `${unit}global ${[...binding.names].join(', ')}`,
      ...source.map((line) => (line ? unit + line : line)),
    ];
    const addInitializer = edits.addKeywordArgument(poolCall, 'initializer', initializer);
    if (!addInitializer) return undefined;
    return {
      title: `Create the channel in each worker (${fork.product === 'executor' ? 'executor' : 'Pool'} initializer)`,
      kind: 'poolInitializer',
      applicability: 'unsafe',
      edits: [edits.insertAfter(last, definition, ''), addInitializer, ...extra],
    };
  }

  const entries = new Map(uses.map((u) => [u.entry.site.node.id, u]));
  if (entries.size !== 1) return undefined;
  const target = enclosingFunction(uses[0].site.node);
  if (!target || target.parent?.type !== 'module' && target.parent?.parent?.type !== 'module') return undefined;
  // The child's uses must read the names the moved statements bind (a global or a same-named parameter).
  if (uses.some((u) => !binding.names.has(usedName(u.site.node)))) return undefined;
  if (target.descendantsOfType('global_statement').some((g) => g && [...binding.names].some((n) => g.text.includes(n)))) return undefined;
  const insert = edits.insertAtBodyStart(target, source);
  if (!insert) return undefined;
  return {
    title: `Create the channel in the child (inside \`${field(target, 'name')?.text}\`)`,
    kind: 'createInChild',
    applicability: 'unsafe',
    edits: [insert, ...extra],
  };
}

/**
 * The child branch of `os.fork()` shares the parent's scope: the binding is repeated as the
 * branch's first statements, rebinding the same names to a channel of the child's own.
 * Returns null when the uses are not in a fork branch (other shapes apply).
 */
function forkBranchFix(edits: EditContext, binding: ChannelBinding, uses: UseEvent[], source: string[], closeEdit: TextEdit | undefined): Fix | undefined | null {
  if (!uses.every((u) => u.entry.how === 'forkBranch')) return null;
  const blocks = new Set(uses.map((u) => u.entry.site.node.id));
  const block = uses[0].entry.site.node;
  if (blocks.size !== 1 || uses.some((u) => !binding.names.has(usedName(u.site.node)))) return undefined;
  if (block.startIndex < binding.statement.endIndex) return undefined;
  // Rebinding a global inside a function would make the name local to all of it (UnboundLocalError).
  if (binding.global && enclosingFunction(block)) return undefined;
  const first = namedChildren(block).find((s) => s.type !== 'comment');
  if (!first) return undefined;
  return {
    title: 'Create the channel in the child (at the start of the child branch)',
    kind: 'createInForkBranch',
    applicability: 'unsafe',
    edits: [edits.insertBefore(first, source), ...(closeEdit ? [closeEdit] : [])],
  };
}

const BUILTINS = new Set(['str', 'int', 'bytes', 'len', 'dict', 'list', 'tuple', 'open', 'True', 'False', 'None', 'print', 'format', 'getattr', 'range']);
