// The benchmark's floor: a process that only imports the SDKs the program uses, then reports its cost.
import "@pulumi/pulumi";
import "@pulumi/aws";
import "@pulumi/kubernetes";
import "@pulumi/docker";
import "@pulumi/random";
import { report } from "./measure";

report("floor");
