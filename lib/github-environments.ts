// Names of the GitHub environments the workflows and the bootstrap share, as plain data: the
// workflow tests read them without loading the Azure SDK.

/** The GitHub environment whose jobs preview production: a person approves each run (docs/decisions/0041). */
export const productionPreviewEnvironment = "preview-production";
/** The GitHub environment of the drift check: the default branch only, no approval (docs/decisions/0041). */
export const driftEnvironment = "drift";
