/** `POST /v1/jobs` (see `submit.ts`) and `GET /v1/jobs/:jobId`. */
import { retryLater } from "./errors";
import { jobStatusSchema, submitJobSchema } from "./schemas";
import type { Api, ApiDeps } from "./server";
import { submitJob } from "./submit";

/** Seconds a client should wait before retrying a refused job. */
const RETRY_AFTER_SECONDS = 5;

/** Registers the job routes. */
export function registerJobs(app: Api, deps: ApiDeps): void {
  app.post("/v1/jobs", { schema: submitJobSchema }, async (req, reply) => {
    const outcome = await submitJob(deps, { ...req.body, idempotencyKey: req.headers["idempotency-key"] });
    if (outcome.kind === "conflict") {
      return reply.code(422).send({ error: `"Idempotency-Key" was already used with a different body (job ${outcome.jobId})` });
    }
    if (outcome.kind === "unavailable") {
      const error = outcome.maybeLater
        ? "queue and job store unavailable: the job may still be sent later; retry with the same Idempotency-Key to learn its outcome"
        : `${outcome.what} unavailable, nothing was accepted; retry later`;
      return retryLater(reply, 503, error, RETRY_AFTER_SECONDS);
    }
    return reply.code(202).header("location", `/v1/jobs/${outcome.jobId}`).send({ jobId: outcome.jobId, status: outcome.status });
  });

  app.get("/v1/jobs/:jobId", { schema: jobStatusSchema }, async (req, reply) => {
    try {
      const view = await deps.jobs.get(req.params.jobId);
      if (view === undefined) return reply.code(404).send({ error: "job not found" });
      return view;
    } catch (err) {
      req.log.warn({ err }, "job read failed");
      return retryLater(reply, 503, "job store unavailable, retry later", 1);
    }
  });
}
