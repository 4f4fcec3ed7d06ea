// Names of the GitHub environments the workflows and the bootstrap share, as plain data: the
// workflow tests read them without loading the Azure SDK.

/**
 * The GitHub environment whose jobs preview `environment`, one with an upstream: it holds that
 * environment's state token, and a person approves each run (docs/decisions/0041). The first
 * environment's preview runs outside any environment.
 */
export const previewEnvironment = (environment: string): string => `preview-${environment}`;
/** The GitHub environment whose jobs preview production. */
export const productionPreviewEnvironment = previewEnvironment("production");
/** The GitHub environment of the drift check: the default branch only, no approval (docs/decisions/0041). */
export const driftEnvironment = "drift";
