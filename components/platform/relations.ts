/**
 * Relations between a platform's sections that AgentPlatform's arguments and the stack configuration
 * both check (each layer also has checks of its own): an agent's image and queue must be declared, its
 * GPU and on-demand placement need a node pool offering them, `useModelServer` needs the model server,
 * and the "grafana" contact point needs Grafana. Pure. Paths are the platform arguments'; the messages
 * name other settings through {@link RelationSettings}, because the stack configuration spells them
 * differently.
 */
import { CapacityType, ContactPoint } from "../shared/constants";
import { quotedNames } from "../shared/schema";

/** A problem at a path of the platform's arguments, e.g. `["agents", 1, "queue"]`. */
export interface PathProblem {
    path: (string | number)[];
    message: string;
}

/** What the relation checks read. */
export interface PlatformRelations {
    contactPoint: string;
    grafana: boolean;
    images: readonly string[];
    queues: readonly string[];
    /** The node pools; undefined on the kubernetes target, where `kubernetesTargetProblems` speaks for placement. */
    nodePools: { cpu: { capacityTypes: readonly string[] }; gpu: { enabled: boolean; capacityTypes: readonly string[] } } | undefined;
    modelServer: boolean;
    agents: readonly { image: string | undefined; queue?: string | undefined; gpu: boolean; capacityType: string; useModelServer: boolean }[];
}

/** How the messages name the settings they point to. */
export interface RelationSettings {
    /** Where the node pools are set: `cluster.nodePools` (arguments) or `nodePools` (stack configuration). */
    nodePools: string;
    /** What turns the model server on: `modelServer is given` or `modelServer.enabled is true`. */
    modelServerOn: string;
}

/** The relation problems of a platform. Pure. */
export function relationProblems(p: PlatformRelations, settings: RelationSettings): PathProblem[] {
    const problems: PathProblem[] = [];
    if (p.contactPoint === ContactPoint.Grafana && !p.grafana) {
        problems.push({ path: ["alerts", "contactPoint"], message: '"sns" unless tracing.grafana is true (Grafana is the "grafana" contact point)' });
    }
    p.agents.forEach((a, i) => {
        const problem = (field: string, message: string) => problems.push({ path: ["agents", i, field], message });
        if (a.image === undefined || !p.images.includes(a.image)) problem("image", `an image name from images: ${quotedNames(p.images)}`);
        if (a.queue !== undefined && !p.queues.includes(a.queue)) problem("queue", `a queue name from queues: ${quotedNames(p.queues)}`);
        if (a.useModelServer && !p.modelServer) problem("useModelServer", `false unless ${settings.modelServerOn}`);
        if (p.nodePools === undefined) return;
        if (a.gpu && !p.nodePools.gpu.enabled) problem("gpu", `false unless ${settings.nodePools}.gpu.enabled is true`);
        const pool = a.gpu ? "gpu" : "cpu";
        if (a.capacityType === CapacityType.OnDemand && !p.nodePools[pool].capacityTypes.includes(CapacityType.OnDemand)) {
            problem("capacityType", `"any" unless ${settings.nodePools}.${pool}.capacityTypes includes "on-demand"`);
        }
    });
    return problems;
}
