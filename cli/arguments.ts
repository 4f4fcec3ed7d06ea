import { appNames, isAppName, type AppName } from "../apps/catalog";
import { digestPattern, digestRule, movingTagRuleFor, tagPattern, tagRule } from "../apps/image-reference";
import { environmentNames, isEnvironmentName, type EnvironmentName } from "../environments";
import type { ImageVersion } from "../apps/image-reference";
import { InputError } from "./errors";

/** The help of an `<environment>` argument: the environments, from the pipeline's list. */
export const environmentArgumentHelp = environmentNames.join(" | ");

/** Checks an `<environment>` argument. @throws InputError listing the environments. */
export function parseEnvironment(name: string): EnvironmentName {
  if (!isEnvironmentName(name)) {
    throw new InputError(`unknown environment '${name}'; expected one of ${environmentNames.join(", ")}`);
  }
  return name;
}

/** Checks an `<app>` argument. @throws InputError listing the apps. */
export function parseApp(name: string): AppName {
  if (!isAppName(name)) throw new InputError(`unknown app '${name}'; expected one of ${appNames.join(", ")}`);
  return name;
}

/**
 * Checks a `<tag>` argument: of a tag's form, and not a moving tag (one without a digit, or a
 * floating version such as `2` or `1.5`).
 *
 * @throws InputError saying what a tag may contain, or why a moving tag is refused.
 */
export function parseTag(tag: string): string {
  if (!tagPattern.test(tag)) throw new InputError(`'${tag}' is not a valid image tag (${tagRule})`);
  const moving = movingTagRuleFor(tag);
  if (moving !== undefined) throw new InputError(`'${tag}' is a moving tag: ${moving}`);
  return tag;
}

/** Checks a `<tag>[@<digest>]` argument. @throws InputError naming the part of the wrong form. */
export function parseImageVersion(argument: string): ImageVersion {
  const at = argument.indexOf("@");
  if (at < 0) return { tag: parseTag(argument) };
  const tag = parseTag(argument.slice(0, at));
  const digest = argument.slice(at + 1);
  if (!digestPattern.test(digest)) {
    throw new InputError(`'${digest}' is not a sha256 digest (${digestRule}); write <tag>@sha256:<64 hex>`);
  }
  return { tag, digest };
}
