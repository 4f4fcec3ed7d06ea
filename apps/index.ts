export * from "./app-definition";
export * from "./catalog";
export * from "./image-reference";
