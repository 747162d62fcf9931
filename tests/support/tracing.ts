/** A Tracing component rendered under mocks, as the Tracing unit tests use it. */
import { Tracing, TracingArgs } from "../../components/tracing";
import { one, Registered, runProgram } from "../../testing";

/** Renders a Tracing with `args` over a test environment and returns its resources and outputs. */
export function renderTracing(args: Partial<TracingArgs> = {}) {
    return runProgram(() => {
        const t = new Tracing("tracing", { environment: "test", clusterName: "agents-test", ...args });
        return {
            otlpGrpcEndpoint: t.otlpGrpcEndpoint, otlpHttpEndpoint: t.otlpHttpEndpoint, tempoQueryUrl: t.tempoQueryUrl,
            grafanaPortForwardCommand: t.grafanaPortForwardCommand, namespace: t.namespace, bucketName: t.bucketName,
            accessLogBucketName: t.accessLogBucketName, metricsQueryUrl: t.metricsQueryUrl, metricsWorkspaceArn: t.metricsWorkspaceArn,
        };
    }, { config: { "aws:region": "eu-west-1" } });
}

/** The Helm release `name` of the Tracing rendered by renderTracing. */
export function tracingRelease(resources: Registered[], name: string): Registered {
    return one(resources, "kubernetes:helm.sh/v3:Release", `tracing-${name}`);
}
