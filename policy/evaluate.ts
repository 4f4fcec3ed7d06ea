import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { isSecret, type Registration } from "../engine/mock-engine";

/** One violation a policy reported. */
export interface Violation {
  readonly policy: string;
  readonly message: string;
  /** The resource the violation is about. */
  readonly urn: string;
}

/** A policy's `notApplicable(reason)`: ends the validation of this resource or stack. */
class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

/**
 * Inputs as a policy sees them: secrets unwrapped to their values and undefined properties
 * dropped, as @pulumi/policy's deserializer does (deserialize.js, `proxySecrets` false). A run
 * that is not a preview has no unknown values, so no unknown-checking proxy is needed.
 */
export function policyProps(value: unknown): unknown {
  if (isSecret(value)) return policyProps((value as Record<string, unknown>)["value"]);
  if (Array.isArray(value)) return value.map(policyProps);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => [key, policyProps(field)]),
    );
  return value;
}

/** The options the mock engine records, in Pulumi's shape; the others are their defaults. */
const options = (registration: Registration): PolicyResourceOptions => ({
  protect: registration.protect,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
  ...(registration.parent ? { parent: registration.parent } : {}),
});

const typeOf = (type: string) => (resourceClass: unknown) =>
  (resourceClass as { __pulumiType?: string }).__pulumiType === type;

/** Called when a policy reads a property or an option of a resource of `type`. */
type OnRead = (policy: string, type: string) => void;

/** `value` (a resource's props or options) seen through a proxy that tells each read. */
function watched<T extends object>(value: T, read: () => void): T {
  return new Proxy(value, {
    get: (target, key, receiver) => {
      if (typeof key === "string") read();
      return Reflect.get(target, key, receiver) as unknown;
    },
    has: (target, key) => (read(), Reflect.has(target, key)),
    ownKeys: (target) => (read(), Reflect.ownKeys(target)),
  });
}

/**
 * Runs policies over a program's registrations as Pulumi's analyzer would: each resource
 * validation on every resource, each stack validation once over all of them. Props are the
 * registrations' inputs, what a preview shows a policy.
 *
 * @param onRead told each time a policy reads a resource's props or options, with the policy's
 *   name and the resource's type: which types a policy actually checks ({@link typesChecked}).
 */
export async function evaluatePolicies(
  policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[],
  registrations: readonly Registration[],
  onRead?: OnRead,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const report = (policy: string, fallbackUrn: string) => (message: string, urn?: string) =>
    violations.push({ policy, message, urn: urn ?? fallbackUrn });
  const stackUrn = registrations.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";

  const resources = new Map<string, PolicyResource>();
  for (const registration of registrations) {
    const props = policyProps(registration.inputs) as Record<string, unknown>;
    resources.set(registration.urn, {
      type: registration.type,
      name: registration.name,
      urn: registration.urn,
      props,
      opts: options(registration),
      dependencies: [],
      propertyDependencies: {},
      isType: typeOf(registration.type),
      asType: ((resourceClass: unknown) =>
        typeOf(registration.type)(resourceClass) ? props : undefined) as never,
    });
  }
  for (const registration of registrations) {
    const resource = resources.get(registration.urn)!;
    const parent = registration.parent === undefined ? undefined : resources.get(registration.parent);
    if (parent) resource.parent = parent;
    resource.dependencies = registration.dependencies.flatMap((urn) => resources.get(urn) ?? []);
  }

  for (const policy of policies) {
    if (!("validateResource" in policy) || policy.validateResource === undefined) continue;
    const validations = Array.isArray(policy.validateResource)
      ? policy.validateResource
      : [policy.validateResource];
    for (const resource of resources.values()) {
      const read = () => onRead?.(policy.name, resource.type);
      const props = onRead ? watched(resource.props, read) : resource.props;
      const args: ResourceValidationArgs = {
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: onRead ? watched(resource.opts, read) : resource.opts,
        stackTags: new Map(),
        isType: typeOf(resource.type),
        asType: ((resourceClass: unknown) =>
          typeOf(resource.type)(resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({}) as T,
        notApplicable,
      };
      for (const validation of validations) {
        try {
          await validation(args, report(policy.name, resource.urn));
        } catch (error) {
          if (!(error instanceof NotApplicable)) throw error;
        }
      }
    }
  }
  for (const policy of policies) {
    if (!("validateStack" in policy)) continue;
    const watchedBy = (resource: PolicyResource): PolicyResource => {
      const read = () => onRead?.(policy.name, resource.type);
      return { ...resource, props: watched(resource.props, read), opts: watched(resource.opts, read) };
    };
    const args: StackValidationArgs = {
      resources: onRead ? [...resources.values()].map(watchedBy) : [...resources.values()],
      stackTags: new Map(),
      getConfig: <T extends object>() => ({}) as T,
      notApplicable,
    };
    try {
      await policy.validateStack(args, report(policy.name, stackUrn));
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return violations;
}

/**
 * The resource types each policy checks, found by running them: a policy checks a type when it
 * reads the props or options of a resource of that type (a policy that only filters by type, or
 * never meets the type, checks nothing of it). Type → names of the policies that read it.
 */
export async function typesChecked(
  policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[],
  registrations: readonly Registration[],
): Promise<Map<string, Set<string>>> {
  const checked = new Map<string, Set<string>>();
  await evaluatePolicies(policies, registrations, (policy, type) =>
    checked.set(type, (checked.get(type) ?? new Set()).add(policy)),
  );
  return checked;
}
