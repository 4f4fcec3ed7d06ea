import type { Fakes } from "../engine/mock-engine";
import { rolesFakes } from "./roles.mock";

export const registryPullFakes: Fakes = { ...rolesFakes, source: "infra/registry-pull.mock.ts" };
