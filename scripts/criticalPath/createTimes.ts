/**
 * Typical create times of the resource types this repository deploys, in minutes, each with where the
 * number comes from. They are estimates for a first `pulumi up` (nothing exists yet), meant to compare
 * dependency graphs, not to predict a run: AWS varies by region and hour, and Kubernetes objects that
 * Pulumi awaits take as long as their pods need.
 */

/** A typical create time of one resource type and its source or assumption. */
export interface CreateTime {
    minutes: number;
    source: string;
}

const ISSUE = "issue 17's model (typical AWS create times)";
const API_CALL = "assumption: one API call that returns at once (seconds)";
const K8S_OBJECT = "assumption: a Kubernetes object Pulumi does not await beyond the API server accepting it (seconds)";
const K8S_CUSTOM = "assumption: a custom resource, accepted by the API server once its CRD (and admission webhook) exist (seconds)";

export const CREATE_TIMES: Readonly<Record<string, CreateTime>> = {
    // --- the long ones ----------------------------------------------------------------------------------
    "aws:eks/cluster:Cluster": { minutes: 10, source: `${ISSUE}; aws/containers-roadmap#1227 reported an average of 15 min before EKS sped creation up` },
    "aws:eks/nodeGroup:NodeGroup": { minutes: 4, source: ISSUE },
    "aws:eks/addon:Addon": { minutes: 1.5, source: `${ISSUE} (the provider waits for ACTIVE; add-ons with Deployments need Ready nodes)` },
    "kubernetes:helm.sh/v3:Release": { minutes: 1.5, source: `${ISSUE} (install and wait for the release's pods)` },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        minutes: 10,
        source: "assumption: ~10 min for a small Valkey group; terraform-provider-aws raised its create timeout to 60 min (#4093) because it can take far longer",
    },
    "aws:ec2/natGateway:NatGateway": { minutes: 2, source: "terraform-aws-modules/terraform-aws-vpc#999 log: created after 1m55s" },
    "aws:ec2/vpcEndpoint:VpcEndpoint": { minutes: 1.5, source: "assumption: interface endpoints provision ENIs per AZ (1–2 min); gateway endpoints are faster" },
    "docker:index/image:Image": { minutes: 3, source: "assumption: build of the agent image (npm ci + tsc) and push to ECR, without a warm cache" },
    // --- Kubernetes objects Pulumi awaits until their pods are ready ------------------------------------------
    "kubernetes:apps/v1:Deployment": { minutes: 2, source: "assumption: Pulumi awaits the Available condition; on a new cluster Karpenter first launches a node (~1 min) and the image is pulled" },
    "kubernetes:apps/v1:StatefulSet": { minutes: 2, source: "assumption: as a Deployment (Pulumi awaits ready replicas)" },
    "kubernetes:core/v1:Service": { minutes: 0.2, source: "assumption: Pulumi awaits ready endpoints, which come with the pods of the Deployment created alongside (that time is counted there)" },
    // --- AWS objects that exist within seconds ---------------------------------------------------------------
    "aws:ec2/vpc:Vpc": { minutes: 0.3, source: "assumption: seconds, plus the provider's wait for the VPC to be available" },
    "aws:ec2/subnet:Subnet": { minutes: 0.2, source: API_CALL },
    "aws:ec2/internetGateway:InternetGateway": { minutes: 0.2, source: API_CALL },
    "aws:ec2/eip:Eip": { minutes: 0.1, source: API_CALL },
    "aws:ec2/routeTable:RouteTable": { minutes: 0.1, source: API_CALL },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": { minutes: 0.1, source: API_CALL },
    "aws:ec2/securityGroup:SecurityGroup": { minutes: 0.1, source: API_CALL },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { minutes: 0.1, source: API_CALL },
    "aws:ec2/flowLog:FlowLog": { minutes: 0.1, source: API_CALL },
    "aws:ec2/launchTemplate:LaunchTemplate": { minutes: 0.1, source: API_CALL },
    "aws:ec2/tag:Tag": { minutes: 0.1, source: API_CALL },
    "aws:eks/accessEntry:AccessEntry": { minutes: 0.1, source: API_CALL },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": { minutes: 0.1, source: API_CALL },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": { minutes: 0.1, source: API_CALL },
    "aws:iam/role:Role": { minutes: 0.2, source: "assumption: seconds, plus IAM's eventual consistency before first use" },
    "aws:iam/rolePolicy:RolePolicy": { minutes: 0.1, source: API_CALL },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { minutes: 0.1, source: API_CALL },
    "aws:kms/key:Key": { minutes: 0.2, source: API_CALL },
    "aws:kms/alias:Alias": { minutes: 0.1, source: API_CALL },
    "aws:cloudwatch/logGroup:LogGroup": { minutes: 0.1, source: API_CALL },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { minutes: 0.1, source: API_CALL },
    "aws:cloudwatch/eventRule:EventRule": { minutes: 0.1, source: API_CALL },
    "aws:cloudwatch/eventTarget:EventTarget": { minutes: 0.1, source: API_CALL },
    "aws:sqs/queue:Queue": { minutes: 0.5, source: "assumption: the provider waits for the new queue's attributes to propagate (tens of seconds)" },
    "aws:sqs/queuePolicy:QueuePolicy": { minutes: 0.2, source: API_CALL },
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": { minutes: 0.2, source: API_CALL },
    "aws:s3/bucket:Bucket": { minutes: 0.1, source: API_CALL },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { minutes: 0.1, source: API_CALL },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { minutes: 0.1, source: API_CALL },
    "aws:s3/bucketPolicy:BucketPolicy": { minutes: 0.1, source: API_CALL },
    "aws:s3/bucketLogging:BucketLogging": { minutes: 0.1, source: API_CALL },
    "aws:sns/topic:Topic": { minutes: 0.1, source: API_CALL },
    "aws:sns/topicPolicy:TopicPolicy": { minutes: 0.1, source: API_CALL },
    "aws:sns/topicSubscription:TopicSubscription": { minutes: 0.1, source: API_CALL },
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": { minutes: 0.1, source: API_CALL },
    "aws:amp/workspace:Workspace": { minutes: 1, source: "assumption: the provider waits for the workspace to become ACTIVE (about a minute in the AMP console)" },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { minutes: 0.1, source: API_CALL },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": { minutes: 0.1, source: API_CALL },
    "aws:secretsmanager/secret:Secret": { minutes: 0.1, source: API_CALL },
    "aws:secretsmanager/secretVersion:SecretVersion": { minutes: 0.1, source: API_CALL },
    "aws:ecr/repository:Repository": { minutes: 0.1, source: API_CALL },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": { minutes: 0.1, source: API_CALL },
    "aws:elasticache/parameterGroup:ParameterGroup": { minutes: 0.1, source: API_CALL },
    "aws:elasticache/subnetGroup:SubnetGroup": { minutes: 0.1, source: API_CALL },
    "random:index/randomPassword:RandomPassword": { minutes: 0, source: "computed locally by the random provider" },
    "random:index/randomId:RandomId": { minutes: 0, source: "computed locally by the random provider" },
    // --- Kubernetes API objects --------------------------------------------------------------------------------
    "pulumi:providers:kubernetes": { minutes: 0, source: "a provider configuration, no cloud call" },
    "kubernetes:core/v1:Namespace": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:core/v1:ServiceAccount": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:core/v1:ConfigMap": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:core/v1:Secret": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:rbac.authorization.k8s.io/v1:Role": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:policy/v1:PodDisruptionBudget": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:storage.k8s.io/v1:StorageClass": { minutes: 0.05, source: K8S_OBJECT },
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass": { minutes: 0.05, source: K8S_CUSTOM },
    "kubernetes:karpenter.sh/v1:NodePool": { minutes: 0.05, source: K8S_CUSTOM },
    "kubernetes:keda.sh/v1alpha1:ScaledObject": { minutes: 0.05, source: K8S_CUSTOM },
    "kubernetes:keda.sh/v1alpha1:TriggerAuthentication": { minutes: 0.05, source: K8S_CUSTOM },
    "kubernetes:keda.sh/v1alpha1:ClusterTriggerAuthentication": { minutes: 0.05, source: K8S_CUSTOM },
    "kubernetes:external-secrets.io/v1:ClusterSecretStore": { minutes: 0.05, source: K8S_CUSTOM },
    "kubernetes:external-secrets.io/v1:ExternalSecret": { minutes: 0.05, source: K8S_CUSTOM },
};

/** What a type missing from CREATE_TIMES counts as (the estimate lists such types, so they get an entry). */
export const UNLISTED_CREATE_TIME: CreateTime = { minutes: 0.5, source: "no entry in CREATE_TIMES: a guess of half a minute" };

