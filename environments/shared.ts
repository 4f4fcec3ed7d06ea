import type { RegistrySettings } from "./settings";

/**
 * The container registry every environment pulls from. Its name is global in Azure: a team
 * adopting this program sets its own here. The owning stack creates it in its own resource
 * group so that deleting an environment never deletes the images another one runs.
 */
export const sharedRegistry: RegistrySettings = {
  name: "platformsharedacr",
  resourceGroupName: "rg-platform-shared",
  sku: "Standard",
};
