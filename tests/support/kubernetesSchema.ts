/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schema (kubernetes-models, generated
 * from it) and custom resources against their CRD schemas (@kubernetes-models/{karpenter,keda,
 * external-secrets}, generated from the CRDs). Types, enums and required fields are checked;
 * the generated validators do not reject unknown fields.
 */

/** Where the model class of a group/version lives. */
const CUSTOM_RESOURCE_PACKAGES: Record<string, string> = {
    "karpenter.sh": "@kubernetes-models/karpenter",
    "karpenter.k8s.aws": "@kubernetes-models/karpenter",
    "keda.sh": "@kubernetes-models/keda",
    "external-secrets.io": "@kubernetes-models/external-secrets",
};

/** The module path of the model of `apiVersion`/`kind`. */
export function modelModule(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    if (group === "") return `kubernetes-models/${version}/${kind}`;
    const pkg = CUSTOM_RESOURCE_PACKAGES[group];
    return pkg ? `${pkg}/${group}/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

type Model = new (data: unknown) => { validate(): void };

/** Validates one object (plain JSON, or typed as the component built it); throws with the object's kind, name and the schema errors. */
export async function validateKubernetesObject(object: object): Promise<void> {
    const obj = object as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
    if (!obj.apiVersion || !obj.kind) throw new Error(`object without apiVersion/kind: ${JSON.stringify(obj).slice(0, 200)}`);
    const module = modelModule(obj.apiVersion, obj.kind);
    let model: Model;
    try {
        model = (await import(module))[obj.kind] as Model;
    } catch (error) {
        throw new Error(`no schema model for ${obj.apiVersion} ${obj.kind} (${module}): ${(error as Error).message}`, { cause: error });
    }
    try {
        new model(obj).validate();
    } catch (error) {
        throw new Error(`${obj.kind} ${obj.metadata?.name ?? "?"} does not validate against ${obj.apiVersion}: ${(error as Error).message}`, { cause: error });
    }
}
