export * from "./aks-cluster";
export * from "./app-workloads";
export * from "./app-images";
export * from "./container-registry";
export * from "./monitoring";
export * from "./mysql-server";
export * from "./network";
export * from "./redis-cache";
