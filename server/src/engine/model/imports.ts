// Import statements bind names to qualified names (`import grpc as g` binds `g` to `grpc`,
// `from grpc import insecure_channel` binds `insecure_channel` to `grpc.insecure_channel`), or to
// workspace modules whose top level the walker runs.
import type { Node } from 'web-tree-sitter';
import type { SourceFile } from './sourceFile';
import { field, fields, namedChildren } from './syntax';
import type { Site } from './timeline';
import { Env, Value } from './values';

/** Finds and loads workspace modules; absent for single-file analysis. */
export interface ModuleResolver {
  /** `module` is dotted, with leading dots for relative imports (`..pkg.mod`). Returns a path. */
  resolve(fromPath: string, module: string): string | undefined;
  load(path: string): SourceFile | undefined;
  /**
   * The start method that the program's entry module sets (`set_start_method("spawn")`) for a
   * module it imports, when one does (SPEC §2: the start method is program-wide).
   */
  programStartMethod?(path: string): string | undefined;
  /** Whether another workspace module that imports `path` uses `name` (so it has a caller there). */
  usedByImporters?(path: string, name: string): boolean;
}

/** Called for each module an import statement loads; returns the workspace module's value, if any. */
export type ImportHandler = (module: string, site: Site) => Value | undefined;

export function bindImport(node: Node, file: SourceFile, env: Env, onImport: ImportHandler): void {
  const site: Site = { node, path: file.path };
  if (node.type === 'future_import_statement') return;
  if (node.type === 'import_statement') {
    for (const name of fields(node, 'name')) {
      if (name.type === 'aliased_import') {
        const module = field(name, 'name')?.text ?? '';
        const alias = field(name, 'alias')?.text ?? module;
        env.assign(alias, onImport(module, site) ?? { kind: 'qualified', qname: module });
      } else {
        const module = name.text;
        const top = module.split('.')[0];
        const loaded = onImport(module, site);
        // `import a.b` binds `a`; `a.b` is then reached through attribute access.
        env.assign(top, module === top && loaded ? loaded : { kind: 'qualified', qname: top });
      }
    }
    return;
  }
  // import_from_statement
  const moduleNode = field(node, 'module_name');
  const module = moduleNode ? moduleNode.text.replace(/\s+/g, '') : '';
  const loaded = onImport(module, site);
  const wildcard = namedChildren(node).some((c) => c.type === 'wildcard_import');
  if (wildcard) {
    if (loaded?.kind === 'workspaceModule') for (const [name, value] of loaded.env.entries()) env.assign(name, value);
    return;
  }
  for (const name of fields(node, 'name')) {
    const imported = name.type === 'aliased_import' ? field(name, 'name')?.text ?? '' : name.text;
    const alias = name.type === 'aliased_import' ? field(name, 'alias')?.text ?? imported : imported;
    const submodule = module.endsWith('.') ? `${module}${imported}` : `${module}.${imported}`;
    let value: Value | undefined;
    if (loaded?.kind === 'workspaceModule') value = loaded.env.lookup(imported);
    // `from pkg import mod` may name a submodule rather than an attribute (also of a package
    // whose `__init__.py` the walk does not need to run).
    if (!value) value = onImport(submodule, site);
    env.assign(alias, value ?? { kind: 'qualified', qname: submodule });
  }
}
