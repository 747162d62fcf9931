/**
 * Container registries other than ECR that AgentImage pushes to: a local registry (kind's documented
 * `localhost:5001`), GitHub Container Registry and Docker Hub. Pure: a registry reference in, what to
 * push where out.
 */

/** The registry kinds AgentImage knows besides ECR. */
export const RegistryKind = {
    /** A registry on this machine (`localhost:<port>`, `127.0.0.1:<port>`), e.g. kind's local registry; no credentials. */
    Local: "local",
    /** GitHub Container Registry, `ghcr.io/<owner>`; a user and a token with `write:packages`. */
    Ghcr: "ghcr",
    /** Docker Hub, `docker.io/<namespace>`; a user and an access token. */
    DockerHub: "dockerhub",
} as const;
export type RegistryKind = (typeof RegistryKind)[keyof typeof RegistryKind];

/** A registry reference, understood. */
export interface Registry {
    kind: RegistryKind;
    /** Host (and port) Docker logs in to. */
    server: string;
    /** What repository names are prefixed with (`localhost:5001`, `ghcr.io/acme`, `docker.io/acme`). */
    prefix: string;
}

/** A lower-case path segment of a repository name (the OCI distribution grammar's path component). */
const SEGMENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const FORMS: { kind: RegistryKind; pattern: RegExp }[] = [
    { kind: RegistryKind.Local, pattern: new RegExp(`^((?:localhost|127\\.0\\.0\\.1):\\d{1,5})((?:/${SEGMENT})*)$`) },
    { kind: RegistryKind.Ghcr, pattern: new RegExp(`^(ghcr\\.io)((?:/${SEGMENT})+)$`) },
    { kind: RegistryKind.DockerHub, pattern: new RegExp(`^(docker\\.io)(/${SEGMENT})$`) },
];

/** The forms `parseRegistry` accepts, in words (for error messages). */
export const REGISTRY_FORMS = '"localhost:<port>" (a local registry such as kind\'s localhost:5001), "ghcr.io/<owner>" or "docker.io/<namespace>"';

/** The registry a reference names, or undefined when it is none of the known forms. */
export function parseRegistry(reference: string): Registry | undefined {
    for (const { kind, pattern } of FORMS) {
        const m = pattern.exec(reference);
        if (!m) continue;
        const port = kind === RegistryKind.Local ? Number(m[1].split(":")[1]) : undefined;
        if (port !== undefined && (port < 1 || port > 65535)) return undefined;
        return { kind, server: m[1], prefix: reference };
    }
    return undefined;
}

/** Whether pushing to a registry of this kind needs a user and a password or token. */
export function needsCredentials(kind: RegistryKind): boolean {
    return kind !== RegistryKind.Local;
}

/**
 * The repository an image is pushed to: `<prefix>/<path>`. Docker Hub has exactly one level of
 * namespace, so there the path's segments are joined with `-` into one repository name.
 */
export function registryRepository(registry: Registry, path: string): string {
    return registry.kind === RegistryKind.DockerHub ? `${registry.prefix}/${path.split("/").join("-")}` : `${registry.prefix}/${path}`;
}
