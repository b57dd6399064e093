// A fixed pool of gRPC channels (one HTTP/2 connection each) that calls are
// spread over round robin. Each client gets its own subchannel pool, or
// grpc-js would share one connection between identical channels. Retries are
// off: a load generator must count what the service answered, not hide it.
import { Client, credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  serverName?: string;
  insecureSkipVerify: boolean;
}

export function channelCredentials(tls: TlsMaterial | null): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  const verify = tls.insecureSkipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {};
  return credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null, verify);
}

export function channelOptions(tls: TlsMaterial | null): ChannelOptions {
  const options: ChannelOptions = { 'grpc.use_local_subchannel_pool': 1, 'grpc.enable_retries': 0 };
  if (tls?.serverName) {
    options['grpc.ssl_target_name_override'] = tls.serverName;
    options['grpc.default_authority'] = tls.serverName;
  }
  return options;
}

export class ChannelPool {
  readonly clients: Client[];
  private index = 0;

  constructor(address: string, tls: TlsMaterial | null, size: number) {
    const creds = channelCredentials(tls);
    const options = channelOptions(tls);
    this.clients = Array.from({ length: size }, () => new Client(address, creds, options));
  }

  /** The next channel, round robin. */
  next(): Client {
    const client = this.clients[this.index] as Client;
    this.index = (this.index + 1) % this.clients.length;
    return client;
  }

  /** Resolves when the given channels (default all) are connected; rejects after timeoutMs. */
  async ready(timeoutMs: number, clients: Client[] = this.clients): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(clients.map((c) => new Promise<void>((resolve, reject) => c.waitForReady(deadline, (err) => (err ? reject(err) : resolve())))));
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}
