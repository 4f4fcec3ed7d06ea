export * from "./settings";
export * from "./environments";
export * from "./network-layout";
