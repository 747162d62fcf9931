import { input, tags, z } from "../shared/schema";

/** PodIdentityRoleArgs. */
export const podIdentityRoleArgsSchema = z.strictObject({
    clusterName: input<string>(),
    namespace: input<string>(),
    serviceAccount: input<string>(),
    policy: input<string>().optional(),
    managedPolicyArns: z.array(input<string>()).default([]),
    tags: tags.optional(),
});
