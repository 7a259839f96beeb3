// Which gRPC objects a fix may close with `.close()`: channels, library clients whose documented
// API has a synchronous close() (the catalog below), and instances of a class of this file that
// defines close() itself. Another wrapper may have no close() at all, so it is never closed.
import type { Node } from 'web-tree-sitter';
import { field, namedChildren } from '../model/syntax';
import type { GrpcObject } from '../model/timeline';
import type { EditContext } from './editContext';
import { importedNames, qualifiedCallee } from './spawnReadiness';

/** Library clients with a synchronous close() that closes their channel. */
const CLOSABLE_LIBRARY_CLIENTS = new Set([
  'tritonclient.grpc.InferenceServerClient',
  'qdrant_client.QdrantClient',
  'pymilvus.MilvusClient',
  'weaviate.connect_to_local',
  'weaviate.connect_to_custom',
  'weaviate.connect_to_weaviate_cloud',
  'weaviate.WeaviateClient',
  'etcd3.client',
  'etcd3.Etcd3Client',
  'google.cloud.pubsub_v1.SubscriberClient',
  'google.cloud.pubsub.SubscriberClient',
  'pydgraph.DgraphClientStub',
]);

export function closable(edits: EditContext, object: GrpcObject): boolean {
  if (object.kind === 'channel') return true;
  if (object.kind !== 'client' || object.creation.path !== edits.file.path) return false;
  const call = object.creation.node;
  const callee = call.type === 'call' ? field(call, 'function') : undefined;
  if (!callee) return false;
  if (CLOSABLE_LIBRARY_CLIENTS.has(qualifiedCallee(callee, importedNames(edits.file.tree.rootNode)))) return true;
  return callee.type === 'identifier' && classDefinesClose(edits.file.tree.rootNode, callee.text);
}

function classDefinesClose(root: Node, name: string): boolean {
  const definition = namedChildren(root).map((s) => (s.type === 'decorated_definition' ? field(s, 'definition') ?? s : s))
    .find((s) => s.type === 'class_definition' && field(s, 'name')?.text === name);
  const body = definition && field(definition, 'body');
  return !!body && namedChildren(body).some((s) => {
    const def = s.type === 'decorated_definition' ? field(s, 'definition') : s;
    return def?.type === 'function_definition' && field(def, 'name')?.text === 'close';
  });
}
