/**
 * The Pulumi SDK's share of a render: registers the resources a render of a stack registered — the same
 * types, names, parents, providers and inputs (as plain values) — straight through the SDK's resource
 * classes under the same mocks, without this repository's program (no zod, no stack configuration, no
 * components, no Outputs between resources). `npm run bench` runs it beside each render, so the
 * difference between the two is what the repository's own code costs. Argument: the JSON file a
 * render wrote ({@link ReplayedResource} list, see `renderOnce.ts`).
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { providerUrn } from "../scripts/criticalPath";
import { RunResult, runProgram } from "../testing";
import { report } from "./measure";
import type { ReplayedResource } from "./replayed";

/** A provider registered with its inputs as recorded (its SDK class would encode some of them again). */
class RecordedProvider extends pulumi.ProviderResource {}

type Construct = (name: string, inputs: Record<string, unknown>, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

/** A resource class of an SDK, looked up by its module path (`ec2`, `apps.v1`), or undefined. */
function sdkClass(sdk: object, path: string[], kind: string): Construct | undefined {
    const cls = path.reduce<unknown>((m, key) => (m as Record<string, unknown> | undefined)?.[key], sdk) as Record<string, unknown> | undefined;
    const ctor = cls?.[kind] as (new (...args: unknown[]) => pulumi.Resource) | undefined;
    return ctor && ((name, inputs, opts) => new ctor(name, inputs, opts));
}

/** How to create a custom resource of a type token such as `aws:ec2/vpc:Vpc` or `kubernetes:apps/v1:Deployment`. */
function constructorOf(type: string): Construct {
    const [pkg, module, kind] = type.split(":");
    const [group, version] = module.split("/");
    let construct: Construct | undefined;
    if (pkg === "pulumi" && module === "providers") construct = (name, inputs, opts) => new RecordedProvider(kind, name, inputs, opts);
    else if (pkg === "aws") construct = sdkClass(aws, group === "index" ? [] : [group], kind);
    else if (pkg === "docker" || pkg === "random") construct = sdkClass(pkg === "docker" ? docker : random, [], kind);
    else if (pkg === "kubernetes") {
        // Built-in API groups have classes (`networking.k8s.io` → networking, `helm.sh` → helm); CRDs do not.
        const sdkGroup = group === "helm.sh" ? "helm" : group.replace(/\.k8s\.io$/, "");
        construct = sdkClass(k8s, [sdkGroup, version], kind) ?? ((name, inputs, opts) =>
            new k8s.apiextensions.CustomResource(name, { ...inputs, apiVersion: module, kind }, opts));
    }
    if (!construct) throw new Error(`resourcesOnly: no SDK class for ${type}`);
    return construct;
}

/** Registers `resources` in order (a parent is registered before its children) under this run's own stack resource. */
function registerAll(resources: ReplayedResource[]): void {
    const byUrn = new Map<string, pulumi.Resource>();
    for (const r of resources) {
        if (r.type === "pulumi:pulumi:Stack") continue;
        const parent = byUrn.get(r.parent);
        const provider = byUrn.get(providerUrn(r.provider)) as pulumi.ProviderResource | undefined;
        byUrn.set(r.urn, r.custom
            ? constructorOf(r.type)(r.name, r.inputs, { parent, provider })
            : new pulumi.ComponentResource(r.type, r.name, {}, { parent }));
    }
}

/** Registers `resources` under the mocks, as stack `stack`. */
export function replay(resources: ReplayedResource[], stack: string): Promise<RunResult> {
    return runProgram(() => registerAll(resources), { stack });
}

if (require.main === module) {
    const [file, stack] = process.argv.slice(2);
    replay(JSON.parse(fs.readFileSync(file, "utf8")) as ReplayedResource[], stack).then((result) => report(`${stack} resources only`, result.resources.length), (error: Error) => {
        console.error(error.message);
        process.exit(1);
    });
}
