/**
 * Every pinned version of the platform in one place — Kubernetes, EKS add-ons, Helm charts, AMIs,
 * engine and container image versions — so an upgrade is one reviewable diff. Each entry says where
 * it was checked.
 */

/** Kubernetes minor versions EKS offers under standard support (checked against the EKS version calendar, 2026). */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.33", "1.34", "1.35"] as const;

/** Kubernetes version of new clusters: 1.35 (on EKS since 2026-01-27, standard support until 2027-03). */
export const KUBERNETES_VERSION = "1.35";

/**
 * KEDA Helm chart (repository https://kedacore.github.io/charts). Checked: kedacore/charts release
 * "KEDA Chart: v2.21.1" marked Latest (Chart v2.21.1, App v2.21.1, Nov 2026); values keys
 * `serviceAccount.operator.name`, `nodeSelector`, `tolerations`, `resources.operator` checked in the
 * chart's templates/manager/deployment.yaml.
 */
export const KEDA_CHART = { repository: "https://kedacore.github.io/charts", chart: "keda", version: "2.21.1" } as const;

/**
 * ElastiCache engine of the ContextStore. Checked against the ElastiCache user guide (engine versions
 * and "Engine specific parameters"): Valkey 7.2, 8.0, 8.1, 8.2, 9.0 and 9.1 are offered; 8.2 is pinned
 * because its parameter group family (`valkey8`) is documented; moving to 9.x changes both fields.
 */
export const ELASTICACHE_VALKEY = { engine: "valkey", engineVersion: "8.2", parameterGroupFamily: "valkey8" } as const;

/**
 * Official Valkey image of the in-cluster ContextStore (dev). Checked: valkey.io/download lists
 * `valkey/valkey:9.1.4-alpine` (released 2026-11-18) on Docker Hub; the image runs as uid 999.
 */
export const VALKEY_IMAGE = "docker.io/valkey/valkey:9.1.4-alpine";

/**
 * ElasticMQ, the SQS-compatible server a TaskQueue runs in the cluster with the `elasticmq` backend
 * (target `kubernetes`). The official native image, pinned by digest: `softwaremill/elasticmq-native`
 * 1.7.1 (tag v1.7.1 of softwaremill/elasticmq, 2026-04-05), whose multi-arch digest below is the one
 * several published projects pin for 1.7.1 (Compose files and test fixtures, 2026). Checked in the
 * v1.7.1 sources: native-server/Dockerfile (alpine, tini, `-Dconfig.file=/opt/elasticmq.conf`, VOLUME
 * /data, no USER), the `queues` keys of persistence-file QueueConfigUtil (`defaultVisibilityTimeout`,
 * `receiveMessageWait`, `deadLettersQueue { name, maxReceiveCount }`), `node-address`, `rest-sqs` and
 * `aws { region, accountId }` in rest-sqs reference.conf, and the `/health` route on the SQS port.
 */
export const ELASTICMQ_IMAGE = "docker.io/softwaremill/elasticmq-native:1.7.1@sha256:e4580ab9ad1bd5cd37b4ba04911bc5ccc8cd2d9ab4de56ece65acee71c24e05c";

/**
 * External Secrets Operator Helm chart (repository https://charts.external-secrets.io), serving
 * `external-secrets.io/v1` (v1beta1 stopped being served in 0.17). Checked: the chart's Chart.yaml in
 * external-secrets/external-secrets (2.x line), Renovate release notes "external-secrets 2.13.0 → 2.14.0"
 * (sylva-core MR 9896, Nov 2026, no newer pending); values keys `installCRDs`, `serviceAccount.name`,
 * `nodeSelector`/`tolerations`/`resources` and the same under `webhook` and `certController` checked in
 * deploy/charts/external-secrets/values.yaml.
 */
export const EXTERNAL_SECRETS_CHART = { repository: "https://charts.external-secrets.io", chart: "external-secrets", version: "2.14.0" } as const;

/**
 * Stakater Reloader Helm chart (repository https://stakater.github.io/stakater-charts). Checked:
 * stakater/Reloader PR #1218 "Bump Helm chart to 2.2.17 (appVersion v1.4.22)", 2026-09-09, the newest
 * chart bump found; values keys `reloader.reloadStrategy` (default|env-vars|annotations, per the chart's
 * values.schema.json), `reloader.readOnlyRootFileSystem`, `reloader.deployment.nodeSelector`/`tolerations`/
 * `containerSecurityContext`/`resources` checked in deployments/kubernetes/chart/reloader/values.yaml;
 * the workload annotation `secret.reloader.stakater.com/reload` in the Reloader 1.4 annotation reference.
 */
export const RELOADER_CHART = { repository: "https://stakater.github.io/stakater-charts", chart: "reloader", version: "2.2.17" } as const;

/**
 * EKS managed add-on versions of AgentCluster. kube-proxy and coredns follow the Kubernetes minor
 * version, so they are pinned per version. Checked against the EKS user guide's "latest version" tables:
 * managing-kube-proxy (1.35 v1.35.3-eksbuild.13, 1.34 v1.34.6-eksbuild.13, 1.33 v1.33.10-eksbuild.13;
 * the same table already lists 1.36 v1.36.0-eksbuild.14) and managing-coredns (1.35 v1.14.2-eksbuild.4,
 * 1.34 v1.13.2-eksbuild.7, 1.33 v1.13.2-eksbuild.4). 1.36 is not offered here until coredns and Karpenter
 * pins for it are checked.
 */
export const EKS_ADDON_VERSIONS_BY_KUBERNETES: Record<string, { "kube-proxy": string; coredns: string }> = {
    "1.35": { "kube-proxy": "v1.35.3-eksbuild.13", coredns: "v1.14.2-eksbuild.4" },
    "1.34": { "kube-proxy": "v1.34.6-eksbuild.13", coredns: "v1.13.2-eksbuild.7" },
    "1.33": { "kube-proxy": "v1.33.10-eksbuild.13", coredns: "v1.13.2-eksbuild.4" },
};

/**
 * Add-on versions that support every Kubernetes version above. Checked: vpc-cni v1.22.3-eksbuild.1
 * (`describe-addon-versions`, ministryofjustice cloud-platform-infrastructure PR #4678, Jul 2026);
 * eks-pod-identity-agent v1.3.10-eksbuild.2 (add-on table for a 1.34 cluster, 2026; v1.3.9 is the first
 * with the hybrid daemonsets per aws/eks-hybrid PR #763); aws-ebs-csi-driver v1.66.0-eksbuild.1 (EKS
 * default for 1.36, Sep 2026, mitodl/ol-infrastructure PR #5959); metrics-server v0.8.1-eksbuild.5
 * (listed for 1.31–1.33 in a published add-on version map; newest build found). vpc-cni supports
 * Pod Identity (EKS user guide, cni-iam-role). Configuration keys: vpc-cni `enableNetworkPolicy` (EKS
 * network-policy guide); `tolerations` of coredns and metrics-server seen accepted in public add-on
 * configurations; `nodeSelector` and the EBS CSI `controller.nodeSelector`/`controller.tolerations`
 * follow the upstream charts' values and were not checked against a `describe-addon-configuration`
 * output (EKS rejects an unknown key at create time, it does not ignore it).
 */
export const EKS_ADDON_VERSIONS = {
    "vpc-cni": "v1.22.3-eksbuild.1",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
    "metrics-server": "v0.8.1-eksbuild.5",
} as const;

/**
 * Karpenter Helm chart (OCI, public ECR). Checked: aws/karpenter-provider-aws release v1.14.1 (Aug
 * 2026, zalando kubernetes-on-aws PR #12117 "Update to Karpenter v1.14.1"); values keys
 * `settings.clusterName`, `settings.clusterEndpoint`, `settings.interruptionQueue` (renamed from
 * `interruptionQueueName` in v0.33, per eksctl PR #8844), `serviceAccount.name`, `replicas`,
 * `nodeSelector`, `tolerations`, `controller.resources` in charts/karpenter/README.md.
 */
export const KARPENTER_CHART = {
    chart: "oci://public.ecr.aws/karpenter/karpenter",
    /**
     * The CRDs alone, same version, so upgrades update the CRDs (Helm never upgrades crds/). Checked:
     * charts/karpenter-crd in aws/karpenter-provider-aws, published as `karpenter-crd` under
     * oci://public.ecr.aws/karpenter (as installed by e.g. radiant-maxar/terraform-eks karpenter.tf).
     */
    crdChart: "oci://public.ecr.aws/karpenter/karpenter-crd",
    version: "1.14.1",
} as const;

/**
 * AL2023 EKS-optimized AMI release for Karpenter's EC2NodeClass (`alias: al2023@<version>`, never
 * `@latest`); Karpenter picks the NVIDIA variant of the release for GPU instances. Checked: amazon-eks-ami
 * release v20260903 (AL2023 1.35.7-20260903 in entigo-infralib's AMI bump, Sep 2026).
 */
export const AL2023_AMI_RELEASE = "v20260903";

/**
 * NVIDIA device plugin Helm chart. Checked: k8s-device-plugin 0.20.0 (NVIDIA/deepops PR #1382 bumps
 * `k8s_gpu_plugin_chart_version` 0.19.3 → 0.20.0 against the upstream releases, Aug 2026); values keys `affinity` (default requires
 * `feature.node.kubernetes.io/pci-10de.present` / `nvidia.com/gpu.present`), `nodeSelector`,
 * `tolerations`, `gfd.enabled`, `nfd`, `priorityClassName` in deployments/helm/nvidia-device-plugin/values.yaml.
 */
export const NVIDIA_DEVICE_PLUGIN_CHART = { repository: "https://nvidia.github.io/k8s-device-plugin", chart: "nvidia-device-plugin", version: "0.20.0" } as const;

/**
 * Grafana Tempo, monolithic ("single binary") chart, repository https://grafana-community.github.io/helm-charts
 * (the Tempo charts left grafana/helm-charts in 2026; the community repository renumbered the chart at
 * the fork). Checked: grafana-community/helm-charts PR #764 "[tempo] Run Tempo 3.0 in monolithic mode"
 * (merged 2026-08-25): chart 3.0.0, appVersion 3.0.3; `tempo.retention` renders into
 * `backend_scheduler.provider.compaction.compaction.block_retention` (the compactor is gone in Tempo 3),
 * `tempo.ingester` became `tempo.liveStore`, the `local_blocks` metrics-generator processor was removed;
 * `tempo.storage.trace.backend` local/s3, `tempo.receivers.otlp`, `persistence.*`, `serviceAccount.name`
 * in the chart's values.yaml and tests/configmap_test.yaml.
 */
export const TEMPO_CHART = { repository: "https://grafana-community.github.io/helm-charts", chart: "tempo", version: "3.0.0" } as const;

/**
 * OpenTelemetry Collector chart, repository https://open-telemetry.github.io/opentelemetry-helm-charts.
 * Checked: the repository's index.yaml lists opentelemetry-collector 0.182.0 (appVersion 0.165.0,
 * created 2026-11-21) as the newest. Values checked in templates/_config.tpl and UPGRADING.md: `mode`,
 * `image.repository`, `command.name`, `alternateConfig`
 * (replaces the default pipelines), `presets.kubernetesAttributes` (adds the processor and its
 * ClusterRole; emits `k8s_attributes` since chart 0.159.0), `ports.*.enabled`; the OTLP gRPC exporter is
 * named `otlp_grpc` since collector v0.144 (`otlp` is a deprecated alias).
 */
export const OTEL_COLLECTOR_CHART = { repository: "https://open-telemetry.github.io/opentelemetry-helm-charts", chart: "opentelemetry-collector", version: "0.182.0" } as const;

/**
 * Image of the OpenTelemetry Collector: the contrib distribution (its tag is the chart's appVersion).
 * The otelcol-k8s distribution has the spanmetrics connector but neither the `signaltometrics`
 * connector (token sums and the queue-time histogram come from span attributes) nor the `prometheus`
 * exporter; contrib has both. Checked: distributions/otelcol-k8s/manifest.yaml and
 * distributions/otelcol-contrib/manifest.yaml in open-telemetry/opentelemetry-collector-releases
 * (v0.159.0, Aug 2026); the contrib image's executable is `/otelcol-contrib` (its Dockerfile).
 */
export const OTEL_COLLECTOR_IMAGE = { repository: "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib", command: "otelcol-contrib" } as const;

/**
 * Prometheus chart (prometheus-community, repository https://prometheus-community.github.io/helm-charts),
 * only its server (alertmanager, kube-state-metrics, node exporter and pushgateway turned off).
 * Checked: chart 29.27.2 (entigolabs/entigo-infralib PR #1705 "update prometheus 29.27.0 → 29.27.2",
 * 2026-09-07, the newest found; 29.27.0 ships Prometheus v3.14.0); values `server.remoteWrite`,
 * `server.defaultFlagsOverride`, `server.persistentVolume.*`, `server.retention`, `server.global`,
 * `scrapeConfigs.<job>.enabled`, `serverFiles`, `serviceAccounts.server.name`, `configmapReload`
 * and the `--agent` flag in values.yaml and templates/cm.yaml, templates/deploy.yaml (chart 29.27.0).
 */
export const PROMETHEUS_CHART = { repository: "https://prometheus-community.github.io/helm-charts", chart: "prometheus", version: "29.27.2" } as const;

/**
 * Grafana's data source plugin for Amazon Managed Service for Prometheus, which signs queries with SigV4
 * (SigV4 in the core Prometheus data source is deprecated and migrated away in Grafana 13). Installed
 * at start through the chart's `plugins` (GF_PLUGINS_PREINSTALL_SYNC, `id@version`). Checked:
 * grafana/grafana-amazonprometheus-datasource package.json 3.2.0 (Aug 2026), plugin.json `alerting: true`,
 * provisioning jsonData `sigV4Auth`, `sigV4AuthType`, `sigV4Region`.
 */
export const GRAFANA_AMP_PLUGIN = { id: "grafana-amazonprometheus-datasource", version: "3.2.0" } as const;

/**
 * Grafana chart, repository https://grafana-community.github.io/helm-charts (grafana/helm-charts froze it
 * at 10.5.15 in January 2026). Checked: chart 13.2.2 published there (Grafana 13, September 2026); values
 * `admin.existingSecret`/`admin.passwordKey` (and `env.GF_SECURITY_ADMIN_USER`, which stops the chart
 * from reading a user key from that Secret), `datasources`, `dashboardProviders`, `dashboards.<provider>.<name>.json`,
 * `service`, `ingress`, `persistence` in the chart's values.yaml and templates/_pod.tpl.
 */
export const GRAFANA_CHART = { repository: "https://grafana-community.github.io/helm-charts", chart: "grafana", version: "13.2.2" } as const;

/**
 * vLLM OpenAI-compatible server image of the ModelServer (also runs its hub download step: the image
 * ships the `hf` CLI of huggingface_hub). Checked: v0.31.0 shipped 2026-10-05 (vllm-project/vllm PR
 * #60254 notes "a day after v0.31.0 shipped"; `vllm/vllm-openai:v0.31.0` used in several manifests
 * since); no v0.32.0 release found. Since v0.30 the default tag targets CUDA 13 (NVIDIA driver ≥ 580;
 * `-cu129` tags exist for older drivers); the EKS AL2023 NVIDIA AMIs ship the 580 driver branch
 * (amazon-eks-ami PRs #2484/#2509). `vllm serve <model>`, `--served-model-name`, `--tensor-parallel-size`,
 * `--max-model-len`, `--gpu-memory-utilization` and the `/health` endpoint checked in the vLLM docs.
 */
export const VLLM_IMAGE = "docker.io/vllm/vllm-openai:v0.31.0";

/**
 * AWS CLI v2 image of the ModelServer's S3 download step (`aws s3 sync`, credentials from EKS Pod
 * Identity, supported since CLI 2.15). Checked: `public.ecr.aws/aws-cli/aws-cli:2.37.4` referenced in
 * published manifests (Oct 2026); public ECR avoids Docker Hub pull limits from the cluster's NAT.
 */
export const AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.37.4";
