/**
 * A minimal probe server for the worker role (`GET /healthz`, `GET /readyz` on `PORT`), so both
 * roles answer the same Kubernetes probes.
 */
import { createServer, type Server } from "node:http";

/** Readiness inputs. */
export interface ProbeState {
  ready(): Promise<boolean>;
}

/** Starts the probe server; liveness is the process itself, readiness comes from `state`. */
export async function startProbeServer(port: number, host: string, state: ProbeState): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const send = (code: number, body: object): void => {
      res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method !== "GET") return send(405, { error: "method not allowed" });
    if (path === "/healthz") return send(200, { status: "ok" });
    if (path === "/readyz") {
      state.ready().then((ok) => send(ok ? 200 : 503, { status: ok ? "ready" : "not ready" }), () => send(503, { status: "not ready" }));
      return;
    }
    send(404, { error: "not found" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
