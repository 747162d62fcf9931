/**
 * What the estimate reads: resources as `{ type, name, inputs }`, from an in-memory run of the program
 * (`runStack`) or from a render directory written by scripts/render.ts (JSON per resource, YAML per
 * Kubernetes object), plus the quantity parsing Kubernetes objects need.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import type { RunResult } from "../../testing";
import { renderedResources } from "../render";

/** A resource the program registers, as the cost model sees it. */
export interface CostResource {
    /** Type token, e.g. `aws:ec2/natGateway:NatGateway`, `kubernetes:apps/v1:Deployment`. */
    type: string;
    name: string;
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The custom resources of a run (components and providers cost nothing of their own). */
export function resourcesOfRun(result: RunResult): CostResource[] {
    return renderedResources(result).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
}

/** Pulumi type token of a Kubernetes object from its apiVersion and kind (`v1` is the core group). */
export function kubernetesType(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? filesUnder(p) : [p];
    });
}

/** The resources of a render directory (what `npm run render -- <stack> --out <dir>` wrote). */
export function readRenderDir(dir: string): CostResource[] {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a render directory`);
    const resources = filesUnder(dir).sort().flatMap((file): CostResource[] => {
        if (file.endsWith(".json")) {
            const body = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<CostResource>;
            return body.type && body.name ? [{ type: body.type, name: body.name, inputs: body.inputs ?? {} }] : [];
        }
        if (file.endsWith(".yaml")) {
            const body = parseYaml(fs.readFileSync(file, "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
            if (typeof body?.apiVersion !== "string" || typeof body?.kind !== "string") return [];
            return [{ type: kubernetesType(body.apiVersion, body.kind), name: String(body.metadata?.name ?? path.basename(file)), inputs: body }];
        }
        return [];
    });
    if (resources.length === 0) throw new Error(`${dir} holds no rendered resources`);
    return resources;
}

/**
 * The AWS region a set of resources targets, read from the service names of its VPC endpoints or the
 * region in its ARNs; undefined when nothing says.
 */
export function regionOf(resources: CostResource[]): string | undefined {
    const text = JSON.stringify(resources.map((r) => r.inputs));
    const match = /com\.amazonaws\.([a-z]+(?:-[a-z]+)*-\d)\./.exec(text) ?? /arn:aws[a-z-]*:[a-z0-9-]+:([a-z]+(?:-[a-z]+)*-\d):/.exec(text);
    return match?.[1];
}

const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 } as const;
const DECIMAL = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 } as const;

/** CPU cores of a Kubernetes quantity (`500m`, `2`, `1.5`); undefined when it is not one. */
export function parseCpu(value: unknown): number | undefined {
    const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(String(value ?? ""));
    if (!match) return undefined;
    return Number(match[1]) / (match[2] === "m" ? 1000 : 1);
}

/** GiB of a Kubernetes memory or storage quantity (`256Mi`, `4Gi`, `1G`, bytes); undefined when it is not one. */
export function parseGiB(value: unknown): number | undefined {
    const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value ?? ""));
    if (!match) return undefined;
    const unit = match[2] as keyof typeof BINARY | keyof typeof DECIMAL | undefined;
    const bytes = Number(match[1]) * (unit ? (BINARY as Record<string, number>)[unit] ?? (DECIMAL as Record<string, number>)[unit] : 1);
    return bytes / 2 ** 30;
}
