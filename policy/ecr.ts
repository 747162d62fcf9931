/** ECR: tags cannot be moved, images are scanned. */
import { describe, ResourceArgs, Rule } from "./rule";
import { at, isUnknown } from "./values";

/** Checks that a repository has immutable tags and scans on push. */
export function checkRepository(args: ResourceArgs): string[] {
    const problems: string[] = [];
    const mutability = args.props.imageTagMutability;
    if (mutability !== "IMMUTABLE" && !isUnknown(mutability)) {
        problems.push(`imageTagMutability must be "IMMUTABLE" (got ${JSON.stringify(mutability ?? "MUTABLE (default)")})`);
    }
    const scan = at(args.props, "imageScanningConfiguration", "scanOnPush");
    if (scan !== true && !isUnknown(scan)) problems.push("imageScanningConfiguration.scanOnPush must be true");
    return problems.map((m) => `${describe(args)}: ${m}`);
}

/** Rule: ECR repositories are immutable and scanned on push. */
export const ecrImmutableScanned: Rule = {
    name: "ecr-immutable-scanned",
    description: "ECR repositories must set imageTagMutability IMMUTABLE and scan on push: a pushed tag always means the same image "
        + "(what was reviewed is what runs), and every image gets a vulnerability scan.",
    enforcementLevel: "mandatory",
    resourceTypes: ["aws:ecr/repository:Repository"],
    check: checkRepository,
};
