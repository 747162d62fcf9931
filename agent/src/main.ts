/**
 * Entry point: `node dist/main.js api` or `node dist/main.js worker`.
 * Validates the configuration, starts telemetry before anything instrumented is loaded, then
 * loads and runs the role.
 */
import { ConfigError, describeConfig, loadConfig, parseRole } from "./config";
import { createLogger } from "./log";
import { startTelemetry } from "./telemetry/setup";

/** Exit code for a bad invocation or configuration (EX_CONFIG). */
const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  const role = parseRole(process.argv[2]);
  if (role === undefined) {
    process.stderr.write("usage: node dist/main.js <api|worker>\n");
    process.exit(64);
  }
  let config;
  try {
    config = loadConfig(role, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  const telemetry = startTelemetry({ role, serviceName: config.serviceName, env: process.env });
  const logger = createLogger(config.logLevel, role);
  logger.info({ config: describeConfig(config) }, "starting");
  // Loaded only now, so the instrumentations registered above can patch their dependencies.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = (role === "api" ? require("./api/run") : require("./worker/run")) as typeof import("./api/run");
  try {
    await mod.run(config, logger, telemetry);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.fatal(err.message);
      await telemetry.shutdown().catch(() => undefined);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
