import { StackConfigError } from "../stack-config/schema";

/** A digest of one repeated hex digit or group: `digest("a")` is `sha256:aaaa…` (64 digits). */
export const digest = (hex: string): string => `sha256:${hex.repeat(64 / hex.length)}`;

/** Production's stack file as people write it: block and flow entries, comments, a blank line, a secret. */
export const productionExample = `# Production: deployed only by promotion pull requests.
config:
  azure-native:location: westeurope
  platform:images:
    main-api:
      tag: "1.4.0"   # promoted by CI
      digest: ${digest("a")}
    web: { tag: 2.0.1, digest: "${digest("b")}" }

  platform:dbPassword:
    secure: v1:AAAABBBB...   # encrypted values: never touched
`;

/** The problems of the StackConfigError `run` throws; fails when it throws nothing or another error. */
export function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a StackConfigError");
}
