/** Helm releases: an exact chart version, so an upgrade is a reviewed diff and not whatever the repository serves today. */
import { describe, ResourceArgs, Rule } from "./rule";
import { isUnknown } from "./values";

/** An exact SemVer version (optional leading v, pre-release and build metadata allowed; no ranges or wildcards). */
export const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Checks that a release pins its chart to one exact version. */
export function checkPinnedChartVersion(args: ResourceArgs): string[] {
    const version = args.props.version;
    if (isUnknown(version)) return [];
    if (typeof version === "string" && EXACT_VERSION.test(version.trim())) return [];
    const chart = typeof args.props.chart === "string" ? ` (chart ${args.props.chart})` : "";
    return [`${describe(args)}${chart}: version must be an exact chart version such as "1.2.3" (got ${JSON.stringify(version ?? null)}); ranges and an empty version install whatever is latest`];
}

/** Rule: Helm releases pin an exact chart version. */
export const helmPinnedVersion: Rule = {
    name: "helm-pinned-version",
    description: "Helm releases must set version to one exact chart version (no range, no wildcard, not empty): otherwise a re-run "
        + "silently upgrades the chart, and previews do not show what will be installed.",
    enforcementLevel: "mandatory",
    resourceTypes: ["kubernetes:helm.sh/v3:Release"],
    check: checkPinnedChartVersion,
};
