// Entry point for the Pulumi component provider (`pulumi package add`): the same public API as
// `components/index.ts`, at the path the component analyzer looks for.
export * from "./components";
