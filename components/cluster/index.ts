import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicyArn, CLUSTER_ROLE_POLICIES, clusterEncryptionPolicy, clusterTrustPolicy, EBS_CSI_POLICY, NODE_ROLE_POLICIES, nodeTrustPolicy, VPC_CNI_POLICY } from "./iam";
import { addonConfiguration, ADDONS_AFTER_NODES, ADDONS_BEFORE_NODES, CONTROL_PLANE_LOG_TYPES, controlPlaneLogGroupName, EksAddon, eksAddonVersion, IMDS_V2_ONLY, kubeconfigFor, systemNodeAmiType, systemNodeGroupPlacement } from "./spec";
import { clusterArgsSchema } from "./args";
import { createClusterCapacity } from "./karpenter";
import { parseArgs } from "../shared/schema";
import { PodIdentityRole } from "../podIdentity";

/** The on-demand managed node group that runs controllers and DNS. */
export interface SystemNodeGroupOptions {
    /** Instance types (all x86_64 or all Graviton). Default: ["m7i.large"]. */
    instanceTypes?: string[];
    /** Minimum nodes. Default: 2. */
    minSize?: number;
    /** Desired nodes (only read at creation; the group keeps its size afterwards). Default: 2, or minSize when larger. */
    desiredSize?: number;
    /** Maximum nodes. Default: 4, or desiredSize when larger. */
    maxSize?: number;
    /** Encrypted gp3 root volume of each node, GiB. Default: 50. */
    diskSizeGiB?: number;
}

/** Karpenter's general-purpose CPU node pool. */
export interface CpuNodePoolOptions {
    /** Purchase options, values of CapacityType ("spot", "on-demand"). Default: ["spot", "on-demand"]. */
    capacityTypes?: string[];
    /** EC2 instance categories (`karpenter.k8s.aws/instance-category`). Default: ["c", "m", "r"]. */
    instanceCategories?: string[];
    /** Total vCPUs the pool may run. Default: 64. */
    cpuLimit?: number;
    /** Total memory the pool may run, GiB. Default: 256. */
    memoryLimitGiB?: number;
    /** How long a node must be underused before it is consolidated (Go duration: "30s", "1m", "2h"). Default: "1m". */
    consolidateAfter?: string;
    /** Encrypted gp3 root volume of each CPU node, GiB. Default: 80. */
    diskSizeGiB?: number;
}

/** Karpenter's NVIDIA GPU node pool (scales to zero). */
export interface GpuNodePoolOptions {
    /** Create the GPU pool and the NVIDIA device plugin. Default: true. */
    enabled?: boolean;
    /** GPU instance families (`karpenter.k8s.aws/instance-family`). Default: ["g6", "g6e", "g5"]. */
    instanceFamilies?: string[];
    /** Purchase options, values of CapacityType. Default: ["on-demand"]. */
    capacityTypes?: string[];
    /** Total GPUs the pool may run. Default: 4. */
    gpuLimit?: number;
    /** Total vCPUs the pool may run. Default: 96. */
    cpuLimit?: number;
    /** How long an empty GPU node lives before it is removed (Go duration). Default: "10m". */
    consolidateAfter?: string;
    /** Encrypted gp3 root volume of each GPU node, GiB (CUDA and model-server images are large). Default: 200. */
    diskSizeGiB?: number;
}

/** Karpenter node pools for workloads. */
export interface NodePoolsOptions {
    /** The CPU pool. Default: the CpuNodePoolOptions defaults. */
    cpu?: CpuNodePoolOptions;
    /** The GPU pool. Default: the GpuNodePoolOptions defaults. */
    gpu?: GpuNodePoolOptions;
}

/** Cluster settings that do not depend on the network (what AgentPlatform takes). */
export interface ClusterOptions {
    /** Kubernetes minor version of the control plane and nodes, one of KUBERNETES_VERSIONS. Default: "1.35" (KUBERNETES_VERSION). */
    kubernetesVersion?: string;
    /** Expose the API server endpoint publicly (the private endpoint is always on). Default: true. */
    endpointPublicAccess?: boolean;
    /** IPv4 CIDRs allowed to reach the public endpoint. Default: ["0.0.0.0/0"]. Ignored when the public endpoint is off. */
    publicAccessCidrs?: string[];
    /** IAM role/user ARNs granted cluster-admin through access entries. Default: none (only the identity that creates the cluster). */
    adminPrincipalArns?: string[];
    /** Retention of the control-plane logs, days. Default: 90. */
    logRetentionDays?: number;
    /** The system node group. Default: the SystemNodeGroupOptions defaults. */
    systemNodes?: SystemNodeGroupOptions;
    /** Karpenter node pools. Default: the NodePoolsOptions defaults. */
    nodePools?: NodePoolsOptions;
    /** Tags added to every AWS resource. Default: none (the provider's default tags still apply). */
    tags?: Record<string, string>;
}

export interface AgentClusterArgs extends ClusterOptions {
    /** EKS cluster name; also the value of the `karpenter.sh/discovery` tag. Required. */
    clusterName: string;
    /** Id of the VPC (Karpenter may launch nodes only into its subnets and security groups). Required. */
    vpcId: pulumi.Input<string>;
    /** Private subnet ids (2–6, across AZs): control-plane ENIs and system nodes. Required. */
    privateSubnetIds: pulumi.Input<string[]>;
}

/** Validates AgentClusterArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseClusterArgs(args: AgentClusterArgs) {
    return parseArgs("AgentCluster", clusterArgsSchema, args);
}

/** Access policy of cluster administrators. */
export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";

/** A default StorageClass: encrypted gp3 through the EBS CSI driver, bound where the pod lands. */
export function gp3StorageClassSpec() {
    return {
        metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
        reclaimPolicy: "Delete",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
    };
}

/**
 * A hardened EKS cluster for agents: API authentication mode with access entries, KMS envelope
 * encryption of secrets, all control-plane logs with retention, private endpoint (public off or
 * CIDR-limited), an on-demand system node group (IMDSv2, encrypted gp3, no SSH, tainted for system pods),
 * the managed add-ons, and Karpenter with a CPU pool and a scale-to-zero NVIDIA GPU pool.
 *
 * In-cluster objects (Karpenter, the device plugin, the StorageClass) use a Kubernetes provider the
 * component builds from its own kubeconfig; other components get theirs from the `kubeconfig` output.
 */
export class AgentCluster extends pulumi.ComponentResource {
    /** EKS cluster name. */
    public readonly clusterName: pulumi.Output<string>;
    /** ARN of the cluster. */
    public readonly clusterArn: pulumi.Output<string>;
    /** API server endpoint (https URL). */
    public readonly endpoint: pulumi.Output<string>;
    /** Base64 PEM of the cluster CA. */
    public readonly certificateAuthorityData: pulumi.Output<string>;
    /** Kubeconfig (JSON) with `aws eks get-token` exec authentication; secret; stable across runs. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The EKS-created cluster security group, carried by every node (system and Karpenter). */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** ARN of the role of Karpenter-launched (workload) nodes. */
    public readonly nodeRoleArn: pulumi.Output<string>;
    /** ARN of the role of the system node group's nodes. */
    public readonly systemNodeRoleArn: pulumi.Output<string>;
    /** ARN of the customer-managed KMS key that encrypts Kubernetes secrets. */
    public readonly secretsKeyArn: pulumi.Output<string>;
    /** Name of the Karpenter interruption queue. */
    public readonly interruptionQueueName: pulumi.Output<string>;
    /** Names of the Karpenter NodePools created. */
    public readonly nodePoolNames: pulumi.Output<string[]>;
    /**
     * What pods on the system nodes wait for before they can run: the node group, the networking,
     * kube-proxy and Pod Identity add-ons it needs, and CoreDNS. Give it as `dependsOn` to controllers
     * (Helm releases that wait for their pods); objects that only need the API server do not wait for it.
     */
    public readonly systemNodesReady: pulumi.Resource[];
    /**
     * What pods on Karpenter's node pools wait for: the Karpenter controller, its node classes and pools
     * (and the NVIDIA device plugin with the GPU pool). Give it as `dependsOn` to workloads.
     */
    public readonly workloadNodesReady: pulumi.Resource[];
    /** What a PersistentVolumeClaim of the default gp3 StorageClass waits for: the EBS CSI driver and the class. */
    public readonly storageReady: pulumi.Resource[];

    constructor(name: string, args: AgentClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = parseClusterArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:AgentCluster", name, {}, opts);
        const parent = { parent: this };
        const tags = settings.tags ?? {};
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;
        const managed = (policy: string) => partition.apply((p) => awsManagedPolicyArn(p, policy));

        // --- control plane -------------------------------------------------------------------------
        const key = new aws.kms.Key(`${name}-secrets`, {
            description: `Envelope encryption of Kubernetes secrets in EKS cluster ${settings.clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags,
        }, parent);
        new aws.kms.Alias(`${name}-secrets`, { name: `alias/eks/${settings.clusterName}`, targetKeyId: key.keyId }, parent);

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane`, {
            name: controlPlaneLogGroupName(settings.clusterName),
            retentionInDays: settings.logRetentionDays,
            tags,
        }, parent);

        const clusterRole = new aws.iam.Role(`${name}-cluster`, {
            assumeRolePolicy: JSON.stringify(clusterTrustPolicy()),
            description: `EKS cluster role of ${settings.clusterName}`,
            tags,
        }, parent);
        const clusterRolePolicies = CLUSTER_ROLE_POLICIES.map((policy) => new aws.iam.RolePolicyAttachment(`${name}-cluster-${policy}`, {
            role: clusterRole.name, policyArn: managed(policy),
        }, parent));
        const encryptionPolicy = new aws.iam.RolePolicy(`${name}-cluster-encryption`, {
            role: clusterRole.id, policy: pulumi.jsonStringify(key.arn.apply(clusterEncryptionPolicy)),
        }, parent);

        const cluster = new aws.eks.Cluster(`${name}-eks`, {
            name: settings.clusterName,
            version: settings.kubernetesVersion,
            roleArn: clusterRole.arn,
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
            // vpc-cni, kube-proxy and coredns come as managed add-ons below, with pinned versions.
            bootstrapSelfManagedAddons: false,
            vpcConfig: {
                subnetIds: settings.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: settings.endpointPublicAccess,
                publicAccessCidrs: settings.endpointPublicAccess ? settings.publicAccessCidrs : undefined,
            },
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
            enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
            tags,
        }, { parent: this, dependsOn: [logGroup, encryptionPolicy, ...clusterRolePolicies] });

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.endpoint = cluster.endpoint;
        this.certificateAuthorityData = cluster.certificateAuthority.data;
        this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
        this.secretsKeyArn = key.arn;
        this.kubeconfig = pulumi.secret(pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data, region])
            .apply(([clusterName, endpoint, certificateAuthorityData, r]) => kubeconfigFor({ clusterName, endpoint, certificateAuthorityData, region: r })));

        // Karpenter selects the node security group by discovery tag: tag the cluster security group.
        new aws.ec2.Tag(`${name}-cluster-sg-discovery`, {
            resourceId: this.clusterSecurityGroupId, key: "karpenter.sh/discovery", value: settings.clusterName,
        }, parent);

        // --- access entries --------------------------------------------------------------------------
        settings.adminPrincipalArns.forEach((principalArn, i) => {
            const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags }, parent);
            new aws.eks.AccessPolicyAssociation(`${name}-admin-${i}`, {
                clusterName: cluster.name,
                principalArn: entry.principalArn,
                policyArn: partition.apply((p) => `arn:${p}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`),
                accessScope: { type: "cluster" },
            }, parent);
        });

        // --- node roles --------------------------------------------------------------------------------
        const nodeRole = (role: string, description: string) => {
            const r = new aws.iam.Role(`${name}-${role}`, { assumeRolePolicy: JSON.stringify(nodeTrustPolicy()), description, tags }, parent);
            const attachments = NODE_ROLE_POLICIES.map((policy) => new aws.iam.RolePolicyAttachment(`${name}-${role}-${policy}`, {
                role: r.name, policyArn: managed(policy),
            }, parent));
            return { role: r, attachments };
        };
        const systemNodes = nodeRole("system-node", `System node group of EKS cluster ${settings.clusterName}`);
        const workloadNodes = nodeRole("karpenter-node", `Karpenter nodes of EKS cluster ${settings.clusterName}`);
        this.systemNodeRoleArn = systemNodes.role.arn;
        this.nodeRoleArn = workloadNodes.role.arn;
        // Managed node groups create their own EC2_LINUX access entry; Karpenter nodes need one.
        const karpenterNodeAccess = new aws.eks.AccessEntry(`${name}-karpenter-node`, {
            clusterName: cluster.name, principalArn: workloadNodes.role.arn, type: "EC2_LINUX", tags,
        }, parent);

        // --- add-ons that nodes need to become Ready --------------------------------------------------------
        const addon = (addonName: EksAddon, dependsOn: pulumi.Resource[]) => {
            const configuration = addonConfiguration(addonName);
            return new aws.eks.Addon(`${name}-${addonName}`, {
                clusterName: cluster.name,
                addonName,
                addonVersion: eksAddonVersion(addonName, settings.kubernetesVersion),
                configurationValues: configuration ? JSON.stringify(configuration) : undefined,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags,
            }, { parent: this, dependsOn });
        };
        const cniRole = new PodIdentityRole(`${name}-vpc-cni`, {
            clusterName: cluster.name, namespace: "kube-system", serviceAccount: "aws-node", managedPolicyArns: [managed(VPC_CNI_POLICY)], tags,
        }, parent);
        // Installed side by side: none needs another, only the nodes need them all. vpc-cni waits for the
        // association of aws-node, whose pods get their credentials when they are created.
        const earlyAddons = ADDONS_BEFORE_NODES.map((a) => addon(a, a === EksAddon.VpcCni ? [cniRole] : []));

        // --- system node group ---------------------------------------------------------------------------------
        const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-system`, {
            description: `System nodes of EKS cluster ${settings.clusterName}`,
            metadataOptions: { ...IMDS_V2_ONLY, instanceMetadataTags: "disabled" },
            blockDeviceMappings: [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: settings.systemNodes.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            }],
            tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                resourceType, tags: { ...tags, Name: `${settings.clusterName}-system` },
            })),
            updateDefaultVersion: true,
            tags,
        }, parent);
        const placement = systemNodeGroupPlacement();
        const nodeGroup = new aws.eks.NodeGroup(`${name}-system`, {
            clusterName: cluster.name,
            nodeGroupName: `${settings.clusterName}-system`,
            version: settings.kubernetesVersion,
            nodeRoleArn: systemNodes.role.arn,
            subnetIds: settings.privateSubnetIds,
            amiType: systemNodeAmiType(settings.systemNodes.instanceTypes),
            capacityType: "ON_DEMAND",
            instanceTypes: settings.systemNodes.instanceTypes,
            scalingConfig: { minSize: settings.systemNodes.minSize, desiredSize: settings.systemNodes.desiredSize, maxSize: settings.systemNodes.maxSize },
            updateConfig: { maxUnavailable: 1 },
            launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
            labels: placement.labels,
            taints: placement.taints,
            tags,
            // desiredSize is managed here (no autoscaler scales the system group), so a config change applies.
        }, { parent: this, dependsOn: [...systemNodes.attachments, ...earlyAddons] });

        // --- add-ons that need nodes ---------------------------------------------------------------------------
        const ebsRole = new PodIdentityRole(`${name}-ebs-csi`, {
            clusterName: cluster.name, namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa", managedPolicyArns: [managed(EBS_CSI_POLICY)], tags,
        }, parent);
        const lateAddons = ADDONS_AFTER_NODES.map((a) => addon(a, a === EksAddon.EbsCsiDriver ? [nodeGroup, ebsRole] : [nodeGroup]));
        const lateAddon = (a: EksAddon) => lateAddons[ADDONS_AFTER_NODES.indexOf(a)];
        // Controllers need the nodes and DNS; not metrics-server or the EBS driver (Karpenter must be able
        // to add capacity even if one of those is still settling).
        this.systemNodesReady = [nodeGroup, ...earlyAddons, lateAddon(EksAddon.CoreDns)];

        // --- in-cluster objects: own provider from the kubeconfig ---------------------------------------------------
        // The provider waits for the control plane; objects that only need the API server wait for nothing else.
        const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, parent);
        const storageClass = new k8s.storage.v1.StorageClass(`${name}-gp3`, gp3StorageClassSpec(), { parent: this, provider });
        this.storageReady = [lateAddon(EksAddon.EbsCsiDriver), storageClass];

        const capacity = createClusterCapacity(this, name, {
            settings, tags, vpcId: settings.vpcId, cluster, partition, region, nodeRoleArn: workloadNodes.role.arn, nodeRoleName: workloadNodes.role.name,
            provider, systemNodesReady: this.systemNodesReady, nodeAccess: karpenterNodeAccess,
        });
        this.interruptionQueueName = capacity.interruptionQueueName;
        this.nodePoolNames = pulumi.output(capacity.nodePoolNames);
        this.workloadNodesReady = capacity.workloadNodesReady;

        this.registerOutputs({
            clusterName: this.clusterName, clusterArn: this.clusterArn, endpoint: this.endpoint, certificateAuthorityData: this.certificateAuthorityData,
            kubeconfig: this.kubeconfig, clusterSecurityGroupId: this.clusterSecurityGroupId, nodeRoleArn: this.nodeRoleArn,
            systemNodeRoleArn: this.systemNodeRoleArn, secretsKeyArn: this.secretsKeyArn, interruptionQueueName: this.interruptionQueueName,
            nodePoolNames: this.nodePoolNames,
        });
    }
}
