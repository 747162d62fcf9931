/** Patterns of the names the platform takes and derives. */

/** A Kubernetes object or namespace name that is a DNS label (RFC 1123): at most 63 characters. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A Kubernetes Secret data key: one or more of `-`, `.`, `_` and alphanumerics (no length bound here). */
export const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * A name the platform derives other names from (queues, secrets, workloads): a DNS label that starts
 * with a letter and has at most 40 characters, leaving room for the prefixes and suffixes added to it.
 */
export const PLATFORM_NAME = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** An environment variable name such as `OPENAI_API_KEY`. */
export const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Environment names (dev, staging, prod, ...): resource names, tags and `deployment.environment`. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,20}$/;

/** In-cluster DNS name of a Service: `<service>.<namespace>.svc.cluster.local`. */
export function serviceHost(service: string, namespace: string): string {
    return `${service}.${namespace}.svc.cluster.local`;
}
