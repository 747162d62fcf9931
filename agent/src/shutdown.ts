/**
 * Signal handling: the first SIGTERM/SIGINT runs the shutdown routine once and exits with its
 * result; a second signal is logged and ignored (Kubernetes escalates to SIGKILL on its own).
 */
import type { Logger } from "pino";

/** Installs the handlers; `routine` resolves to the exit code. */
export function onShutdownSignal(logger: Logger, routine: (signal: string) => Promise<number>): void {
  let started = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (started) {
      logger.warn({ signal }, "shutdown already in progress");
      return;
    }
    started = true;
    logger.info({ signal }, "shutting down");
    routine(signal).then(
      (code) => process.exit(code),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
