import { isRecord } from "../../lib/values";

/** A Kubernetes object as plain data: what `kubectl apply` reads and `platform render` prints. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
};

/** The namespace every app runs in. */
export const appsNamespace = "apps";

/** The user and group every container runs as; the images must not need root. */
export const runAsId = 10001;

/**
 * A deep copy of plain data. Not `structuredClone`: its copies belong to Node's main realm, and
 * under jest's sandbox Pulumi's serializer (`instanceof Array`) then takes their arrays for maps.
 */
export function clonePlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clonePlain) as T;
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, clonePlain(item)])) as T;
  return value;
}

/**
 * The annotation every Job carries: pulumi-kubernetes replaces (deletes, then creates anew) a Job
 * that is not complete when the next `pulumi up` diffs it, instead of awaiting the same failed Job
 * again (provider/pkg/provider/provider.go, `Diff`, ReplaceUnready; docs/decisions/0032).
 */
export const replaceUnreadyAnnotations: Readonly<Record<string, string>> = {
  "pulumi.com/replaceUnready": "true",
};

/**
 * The user and groups of cert-manager's images (distroless `nonroot`, cert-manager's
 * make/base_images.mk and hack/latest-base-images.sh): its pods and its HTTP-01 solver run as them.
 */
export const distrolessNonRootId = 65532;

/**
 * A pod security context that meets the restricted pod security initiative Azure Policy assigns,
 * group fields included: its AllowedUsersGroups policy requires `runAsGroup`, `supplementalGroups`
 * and `fsGroup` in 1-65535 (`MustRunAs`), and a non-root user (docs/decisions/0033).
 */
export function restrictedPodSecurityContext(id: number): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: id,
    runAsGroup: id,
    supplementalGroups: [id],
    fsGroup: id,
    seccompProfile: { type: "RuntimeDefault" },
  };
}
