/** Helpers to submit jobs through the API and wait for their outcome. */
import type { Redis } from "ioredis";
import { keys } from "../src/store/keys";
import type { AgentProcess } from "./agent-process";
import { waitFor } from "./net";

/** Submits a job and returns its id. */
export async function submitJob(api: AgentProcess, input: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await api.request("POST", "/v1/jobs", { input }, headers);
  if (res.status !== 202) throw new Error(`expected 202, got ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.jobId);
}

/** Waits until the job has `status` (through the API) and returns the body. */
export async function waitForStatus(api: AgentProcess, jobId: string, status: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  return waitFor(`job ${jobId} to be ${status}`, async () => {
    const r = await api.get(`/v1/jobs/${jobId}`);
    return r.body.status === status ? r.body : undefined;
  }, timeoutMs);
}

/** The raw job record in Redis. */
export async function jobRecord(redis: Redis, jobId: string): Promise<Record<string, string>> {
  return redis.hgetall(keys.job(jobId));
}
