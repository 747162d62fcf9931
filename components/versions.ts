/**
 * Every pinned version of the platform in one place — Kubernetes, EKS add-ons, Helm charts, AMIs,
 * engine and container image versions — so an upgrade is one reviewable diff. Each entry says where
 * it was checked.
 */

/** Kubernetes minor versions EKS offers under standard support (checked against the EKS version calendar, 2026). */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.33", "1.34", "1.35"] as const;

/** Kubernetes version of new clusters: 1.35 (on EKS since 2026-01-27, standard support until 2027-03). */
export const KUBERNETES_VERSION = "1.35";
