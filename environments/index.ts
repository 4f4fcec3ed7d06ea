export * from "./settings";
export * from "./environments";
export * from "./stack-config";
