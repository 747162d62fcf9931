/**
 * A loopback TCP proxy in front of a real service that can turn into a black hole: while
 * `blackHole` is on, new connections are accepted and read but never forwarded nor answered (what a
 * hung endpoint looks like to a client). Used to take SQS away from an agent and give it back.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** The proxy. */
export class TcpProxy {
  /** While true, new connections are swallowed. */
  blackHole = false;
  /** Bytes received by swallowed connections (a client sent a request into the black hole). */
  swallowedBytes = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  /** Starts a proxy on a free 127.0.0.1 port forwarding to `127.0.0.1:targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer((client) => self.accept(client, targetPort));
    // The connection handler above runs only after `self` is initialised (the server is not listening yet).
    const self = new TcpProxy(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return self;
  }

  /** The proxy's port. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private accept(client: Socket, targetPort: number): void {
    this.track(client);
    client.on("error", () => client.destroy());
    if (this.blackHole) {
      client.on("data", (d: Buffer) => {
        this.swallowedBytes += d.length;
      });
      return;
    }
    const upstream = this.track(createConnection({ host: "127.0.0.1", port: targetPort }));
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private track(s: Socket): Socket {
    this.sockets.add(s);
    s.once("close", () => this.sockets.delete(s));
    return s;
  }

  /** Drops every open connection (swallowed or forwarded); clients see a reset. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Stops the proxy. */
  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
