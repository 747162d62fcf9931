// Entry point of the Pulumi program (`main: stacks/` in Pulumi.yaml).
import { definePlatform } from "./program";

export = definePlatform();
