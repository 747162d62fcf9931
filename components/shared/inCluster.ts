import * as pulumi from "@pulumi/pulumi";
import { z } from "./schema";

/**
 * What a component's Kubernetes objects wait for besides the API server (which their Kubernetes
 * provider already waits for). Each list goes, as `dependsOn`, only to the objects that need it: the
 * component's AWS resources (roles, keys, buckets, secrets) wait for none of them and are created while
 * the cluster comes up. A `dependsOn` in the component's options, by contrast, holds back every child.
 * For TypeScript programs: a package schema cannot name "a resource of any type", so other languages
 * that use the components through `pulumi package add` see a struct here and should use `dependsOn`.
 */
export interface InClusterDependencies {
    /** Before objects in namespaces the component does not create: those Namespace resources. Default: none. */
    namespaces?: pulumi.Resource[];
    /**
     * Before workloads whose pods must become ready (Deployments, StatefulSets, Helm releases that wait):
     * the nodes they can run on and the storage of their volumes. Default: none.
     */
    pods?: pulumi.Resource[];
    /** Before workloads whose pods read Secrets created elsewhere: what creates those Secrets (e.g. ExternalSecrets). Default: none. */
    secrets?: pulumi.Resource[];
    /** Before custom resources of CRDs that another component installs: that component (its CRDs and admission webhooks). Default: none. */
    customResources?: pulumi.Resource[];
}

/** The `dependsOn` of an in-cluster object: the given kinds of `deps`, then the object's own dependencies. */
export function dependsOnFor(deps: InClusterDependencies | undefined, kinds: (keyof InClusterDependencies)[], own: pulumi.Resource[] = []): pulumi.Resource[] {
    return [...kinds.flatMap((kind) => deps?.[kind] ?? []), ...own];
}

const resources = z.array(z.custom<pulumi.Resource>((r) => pulumi.Resource.isInstance(r)).meta({ allowed: "a Pulumi resource" })).optional();

/** InClusterDependencies. */
export const inClusterDependenciesSchema = z.strictObject({ namespaces: resources, pods: resources, secrets: resources, customResources: resources });

/** An `inClusterDependsOn` argument. */
export const inClusterDependsOnSchema = inClusterDependenciesSchema.optional();
