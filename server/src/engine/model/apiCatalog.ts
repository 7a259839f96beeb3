// What the engine knows about the APIs it reasons about, keyed by qualified name. This is data:
// a new factory or fork API is a new entry here, not a new branch in the walker.
import type { EngineConfig } from '../config';

export type GrpcObjectKind = 'channel' | 'aioChannel' | 'stub' | 'client' | 'server' | 'aioServer';

export const CHANNEL_FACTORIES: Record<string, GrpcObjectKind> = {
  'grpc.insecure_channel': 'channel',
  'grpc.secure_channel': 'channel',
  'grpc.intercept_channel': 'channel',
  'grpc.aio.insecure_channel': 'aioChannel',
  'grpc.aio.secure_channel': 'aioChannel',
  'grpc.experimental.aio.insecure_channel': 'aioChannel',
  'grpc.experimental.aio.secure_channel': 'aioChannel',
  // pyzeebe's helpers return a grpc.aio.Channel for ZeebeClient / ZeebeWorker.
  'pyzeebe.create_insecure_channel': 'aioChannel',
  'pyzeebe.create_secure_channel': 'aioChannel',
  'pyzeebe.create_camunda_cloud_channel': 'aioChannel',
};

export const SERVER_FACTORIES: Record<string, GrpcObjectKind> = {
  'grpc.server': 'server',
  'grpc.aio.server': 'aioServer',
  'grpc.experimental.aio.server': 'aioServer',
};

/**
 * Libraries whose clients hold a gRPC channel (SPEC §2's catalog; docs/clients.md names the
 * documentation each entry rests on). A trailing `*` matches any callable under that prefix whose
 * last part ends in `Client` (e.g. every `google.cloud.*Client`, `*_v1` GAPIC clients included).
 */
export const LIBRARY_CLIENT_FACTORIES: string[] = [
  'google.cloud.pubsub_v1.PublisherClient',
  'google.cloud.pubsub_v1.SubscriberClient',
  'google.cloud.pubsub.PublisherClient',
  'google.cloud.pubsub.SubscriberClient',
  'google.cloud.firestore.Client',
  'google.cloud.datastore.Client',
  'google.cloud.spanner.Client',
  'google.cloud.bigtable.Client',
  'google.cloud.bigquery_storage.BigQueryReadClient',
  'google.cloud.*',
  'firebase_admin.firestore.client',
  'tritonclient.grpc.InferenceServerClient',
  'tritonclient.grpc.aio.InferenceServerClient',
  'qdrant_client.QdrantClient',
  'qdrant_client.AsyncQdrantClient',
  'pymilvus.connections.connect',
  'pymilvus.MilvusClient',
  // The legacy client: `from milvus import Milvus` (pymilvus 1.x), `from pymilvus import Milvus` (2.x).
  'milvus.Milvus',
  'pymilvus.Milvus',
  'weaviate.connect_to_local',
  'weaviate.connect_to_custom',
  'weaviate.connect_to_weaviate_cloud',
  'weaviate.connect_to_embedded',
  'weaviate.WeaviateClient',
  'etcd3.client',
  'etcd3.Etcd3Client',
  'pydgraph.DgraphClientStub',
  'opentelemetry.exporter.otlp.proto.grpc.trace_exporter.OTLPSpanExporter',
  'opentelemetry.exporter.otlp.proto.grpc.metric_exporter.OTLPMetricExporter',
  'opentelemetry.exporter.otlp.proto.grpc._log_exporter.OTLPLogExporter',
];

/** Library clients that only use gRPC when asked to, by a keyword argument. */
export const CONDITIONAL_LIBRARY_CLIENTS: Record<string, { keyword: string }> = {
  'qdrant_client.QdrantClient': { keyword: 'prefer_grpc' },
  'qdrant_client.AsyncQdrantClient': { keyword: 'prefer_grpc' },
};

/** Third-party modules whose import loads grpc (for "imported grpc before" questions). */
export const MODULES_THAT_LOAD_GRPC = [
  'grpc', 'google.cloud', 'google.api_core', 'tritonclient.grpc', 'etcd3', 'pymilvus', 'milvus', 'weaviate', 'qdrant_client',
  'grpc_status', 'grpc_health', 'grpc_reflection', 'pydgraph', 'pyzeebe', 'opentelemetry.exporter.otlp.proto.grpc',
];

/** google.cloud clients that speak HTTP/REST, not gRPC, though they match `google.cloud.*Client`. */
const REST_CLIENT_MODULES = ['google.cloud.storage', 'google.cloud.bigquery', 'google.cloud.dns', 'google.cloud.translate_v2', 'google.cloud.resource_manager', 'google.cloud.runtimeconfig'];

/** Alternative constructors of Google clients (`Client.from_service_account_json(path)`) make the same client. */
const ALTERNATIVE_CONSTRUCTORS = /\.(from_service_account_json|from_service_account_file|from_service_account_info)$/;

export function matchesLibraryClient(qname: string, extraFactories: readonly string[]): boolean {
  if (ALTERNATIVE_CONSTRUCTORS.test(qname)) qname = qname.replace(ALTERNATIVE_CONSTRUCTORS, '');
  if (REST_CLIENT_MODULES.some((module) => qname.startsWith(`${module}.`))) return extraFactories.includes(qname);
  for (const pattern of [...LIBRARY_CLIENT_FACTORIES, ...extraFactories]) {
    if (pattern.endsWith('.*')) {
      const prefix = pattern.slice(0, -1);
      if (qname.startsWith(prefix) && /Client$/.test(qname.slice(qname.lastIndexOf('.') + 1))) return true;
    } else if (qname === pattern) {
      return true;
    }
  }
  return false;
}

/** How a fork API decides whether it forks. */
export type ForkMode = 'always' | 'startMethod';

export interface ForkApi {
  mode: ForkMode;
  /** What the call returns: a pool forks when made, an executor at its first task, a process at start(). */
  produces: 'pool' | 'executor' | 'process' | 'pid' | 'manager';
}

const MP_PREFIXES = ['multiprocessing', 'multiprocessing.context', 'multiprocessing.pool'];

function mpNames(name: string): string[] {
  return MP_PREFIXES.map((prefix) => `${prefix}.${name}`);
}

export const FORK_APIS: Record<string, ForkApi> = Object.fromEntries([
  ['os.fork', { mode: 'always', produces: 'pid' }],
  ['os.forkpty', { mode: 'always', produces: 'pid' }],
  ['pty.fork', { mode: 'always', produces: 'pid' }],
  ...mpNames('Pool').map((n) => [n, { mode: 'startMethod', produces: 'pool' }]),
  ...mpNames('Process').map((n) => [n, { mode: 'startMethod', produces: 'process' }]),
  ...mpNames('Manager').map((n) => [n, { mode: 'startMethod', produces: 'manager' }]),
  ['multiprocessing.managers.SyncManager', { mode: 'startMethod', produces: 'manager' }],
  ['concurrent.futures.ProcessPoolExecutor', { mode: 'startMethod', produces: 'executor' }],
  ['concurrent.futures.process.ProcessPoolExecutor', { mode: 'startMethod', produces: 'executor' }],
  ['loky.ProcessPoolExecutor', { mode: 'startMethod', produces: 'executor' }],
] as [string, ForkApi][]);

export const PROCESS_CLASSES = new Set(mpNames('Process'));
export const START_METHOD_SETTERS = new Set(mpNames('set_start_method'));
export const CONTEXT_GETTERS = new Set(mpNames('get_context'));

/** Pool and executor methods whose first argument runs in the worker processes. */
export const TASK_METHODS = new Set([
  'map', 'map_async', 'imap', 'imap_unordered', 'starmap', 'starmap_async', 'apply', 'apply_async', 'submit',
]);

export const THREAD_POOL_NAMES = new Set(['concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.thread.ThreadPoolExecutor', 'multiprocessing.pool.ThreadPool', 'multiprocessing.dummy.Pool']);

/** Does a multiprocessing start method fork? `undefined` means the interpreter's default. */
export function startMethodForks(method: string | undefined, targetPython: [number, number], platform: EngineConfig['targetPlatform']): boolean {
  if (method !== undefined) return method === 'fork';
  if (platform !== 'linux') return false;
  const [major, minor] = targetPython;
  return major < 3 || (major === 3 && minor < 14);
}
