/**
 * The workspace scan's pre-filter: decides from a file's bytes, without parsing it, whether the
 * engine could report anything in it. Every file is read; only those that can matter are parsed.
 *
 * Why the filter loses nothing. A finding is reported at a place in the analysed file (the
 * analyzer drops reports for other files), and every rule declares what it needs in the program
 * the walker runs (the file and the workspace modules it imports, transitively): its
 * `triggers.reportNeeds` and `triggers.catalogObjects` (rules/rule.ts). The filter tests their
 * union (engine/relevance.ts, `readTextVerdict`), so a new rule's needs reach it through the registry. Today's rules
 * need one of:
 *
 * 1. a gRPC object (channel, stub, client, server): it is made by a call whose qualified name is
 *    in the API catalog (`grpc.*`, the library clients, the `channel-factories` setting) or by a
 *    class that holds one. Qualified names come only from import statements, so the file that
 *    makes the object either contains `grpc` or imports a module whose first component is a
 *    catalog root (`google`, `etcd3`, ...). Stubs and client wrappers are built on such an object.
 * 2. a gRPC environment variable (`GRPC_ENABLE_FORK_SUPPORT`, `GRPC_POLL_STRATEGY`): the file
 *    that writes it contains `GRPC` (environment names are case-sensitive on every platform gRPC
 *    forks on), or takes the name from an imported module that does.
 * 3. a server port call given extra arguments (GF203, matched on the method name): the file
 *    contains `secure_port` (`add_insecure_port`, `add_secure_port`).
 *
 * A fork API alone (`os.fork`, `multiprocessing`, `ProcessPoolExecutor`) is not a trigger: a fork
 * with no gRPC object, variable or port call in reach produces no finding under any rule, and in
 * real code (the standard library has hundreds of such files) it would send many files to the
 * parser for nothing.
 *
 * So a file is analysed when its own text holds a need (below), or when one of its import statements
 * resolves to a workspace module that is analysed: the scanner closes the set over imports
 * (importClosure.ts), which covers a module that makes gRPC objects at import time and a
 * program that forks after importing it. The trigger test over-approximates: a word in a comment
 * or a string also triggers, which costs a parse, never a finding.
 */
// The verdict itself is the engine's text-level relevance test, shared with the editor.
export { readTextVerdict as prefilter, type TextVerdict as PrefilterVerdict } from '../engine/relevance';
