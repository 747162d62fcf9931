import * as pulumi from "@pulumi/pulumi";

/** A Kubernetes object or namespace name that is a DNS label (RFC 1123): at most 63 characters. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A name the platform derives other names from (queues, secrets, workloads): a DNS label that starts
 * with a letter and has at most 40 characters, leaving room for the prefixes and suffixes added to it.
 */
export const PLATFORM_NAME = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** An environment variable name such as `OPENAI_API_KEY`. */
export const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Argument checks shared by the components. Each check appends an `InputPropertyErrorDetails` whose
 * reason names the value found and what is allowed; `throwIfInvalid` raises them all at once, before
 * the component registers any child.
 */
export class ArgChecks {
    readonly errors: pulumi.InputPropertyErrorDetails[] = [];

    constructor(private readonly component: string) {}

    /** Records a problem with `propertyPath`. */
    fail(propertyPath: string, value: unknown, allowed: string): this {
        this.errors.push({ propertyPath, reason: `got ${value === undefined ? "nothing" : JSON.stringify(value)}; allowed: ${allowed}` });
        return this;
    }

    /** An integer in [min, max] (undefined passes: the caller applies the default). */
    integer(propertyPath: string, value: number | undefined, min: number, max: number): this {
        if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) this.fail(propertyPath, value, `an integer from ${min} to ${max}`);
        return this;
    }

    /** One of `allowed` (undefined passes). */
    oneOf(propertyPath: string, value: string | undefined, allowed: readonly string[]): this {
        if (value !== undefined && !allowed.includes(value)) this.fail(propertyPath, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
        return this;
    }

    /** A condition that must hold. */
    require(condition: boolean, propertyPath: string, value: unknown, allowed: string): this {
        if (!condition) this.fail(propertyPath, value, allowed);
        return this;
    }

    /** Throws every recorded problem as one `InputPropertiesError`. */
    throwIfInvalid(): void {
        if (this.errors.length === 0) return;
        const lines = this.errors.map((e) => `${e.propertyPath}: ${e.reason}`).join("; ");
        throw new pulumi.InputPropertiesError({ message: `invalid ${this.component} arguments: ${lines}`, errors: this.errors });
    }
}
