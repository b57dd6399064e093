// A fact of HTTP/2 that both the gRPC wire and scenario validation need, in a
// module of its own: validation must not load the gRPC client (grpc-js) to know it.

/** Connection-specific headers HTTP/2 forbids (Node refuses a request that carries one): never valid metadata. */
export const CONNECTION_HEADERS = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host'];
