// Where the stacks' settings live. Every path to a stack file is built here, and
// test/stack-files.test.ts fails when another file builds one: a second copy is how a renamed
// stack or a moved project ends up read in one place and not in another.

/**
 * The settings file of a stack, in its project's directory: `Pulumi.<stack>.yaml`, the name the
 * Pulumi CLI reads a stack's config from
 * (https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/).
 */
export function stackFileName(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** The bootstrap project's one stack, run by an administrator before any environment. */
export const bootstrapStack = "shared";

/** The bootstrap stack's file, relative to the repository's top directory. */
export const bootstrapStackFile = `bootstrap/${stackFileName(bootstrapStack)}`;
