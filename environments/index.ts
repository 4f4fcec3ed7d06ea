export * from "./settings";
export * from "./environments";
export * from "./stack-config";
export * from "./network-layout";
