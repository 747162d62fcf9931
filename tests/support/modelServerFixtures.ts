import { ModelServerArgs, modelServerSpecOptions } from "../../components/modelServer";

/** The model and S3 location the ModelServer tests deploy. */
export const MODEL = "Qwen/Qwen2.5-7B-Instruct";
export const S3_URI = "s3://model-weights-bucket/qwen/2.5-7b-instruct";

/** The spec options of a ModelServer of MODEL, with the given arguments on top. */
export const spec = (args: Partial<ModelServerArgs> = {}) => modelServerSpecOptions({ model: MODEL, ...args });
