import type { Fakes } from "./fake-kit";
import { rolesFakes } from "./roles.mock";

export const registryPullFakes: Fakes = { ...rolesFakes, source: "infra/registry-pull.mock.ts" };
