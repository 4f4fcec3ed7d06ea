import type { RegisterCommand } from "../command";

/** A command of the CLI, and how to load it. */
export interface CommandModule {
  readonly name: string;
  readonly load: () => Promise<RegisterCommand>;
}

/**
 * Every command of the CLI, in the order `platform --help` lists them. Each is loaded only when
 * it runs (or for help), so that `platform render` does not pay for the GitHub client.
 */
export const commands: readonly CommandModule[] = [
  { name: "render", load: async () => (await import("./render")).registerRender },
  { name: "plan", load: async () => (await import("./plan")).registerPlan },
  { name: "diff", load: async () => (await import("./diff")).registerDiff },
  { name: "fingerprint", load: async () => (await import("./fingerprint")).registerFingerprint },
  { name: "set-image", load: async () => (await import("./set-image")).registerSetImage },
  { name: "status", load: async () => (await import("./status")).registerStatus },
  { name: "release", load: async () => (await import("./release")).registerRelease },
  { name: "promote", load: async () => (await import("./promote")).registerPromote },
  { name: "gate", load: async () => (await import("./gate")).registerGate },
  { name: "rollback", load: async () => (await import("./rollback")).registerRollback },
  { name: "verify", load: async () => (await import("./verify")).registerVerify },
  { name: "record", load: async () => (await import("./record")).registerRecord },
  { name: "metrics", load: async () => (await import("./metrics")).registerMetrics },
  { name: "page", load: async () => (await import("./page")).registerPage },
  { name: "workflows", load: async () => (await import("./workflows")).registerWorkflows },
];

/** Shown after the help of the program and of every command (commander adds the last newline). */
export const exitCodesHelp = `
Exit codes:
  0    done, or nothing to do
  1    a check failed, or an operation failed (git, GitHub, pulumi, a file)
  2    bad input: arguments, stack files, missing or malformed settings
  70   unexpected failure: a bug, please report it
  130  interrupted by SIGINT (Ctrl-C)
  143  interrupted by SIGTERM (a cancelled CI job)`;

/** Shown after the help of every command that has `--pr` (commander adds the last newline). */
export const pullRequestHelp = `
With --pr, the change is committed on a branch of its own, pushed to origin (with git's own
credentials for origin) and proposed as a pull request; the working tree is left alone. If
opening the pull request fails or the command is interrupted, the pushed branch is deleted
again (or put back as it was), unless a pull request was opened from it.

Environment read by --pr:
  GITHUB_TOKEN                      required: a token that may open pull requests
                                    (contents: write, pull-requests: write)
  GITHUB_REPOSITORY                 required: owner/name, for example acme/platform
  GITHUB_API_URL                    GitHub's REST API (default: https://api.github.com)
  GITHUB_SERVER_URL, GITHUB_RUN_ID  link the pull request to the Actions run, when both are set
  GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL, GIT_COMMITTER_NAME, GIT_COMMITTER_EMAIL
                                    who makes the commit (default: git config user.name and
                                    user.email, else github-actions[bot])
  PLATFORM_GITHUB_TIMEOUT_SECONDS   how long one GitHub request may take (default: 30)
  PLATFORM_GITHUB_MAX_WAIT_SECONDS  the longest rate-limit wait that is waited out, once
                                    (default: 60); a longer one fails, saying when to try again`;

/** Shown after the help of every command that runs the program (`plan`, `diff`). */
export const planTimeoutHelp = `
Environment:
  PLATFORM_PLAN_TIMEOUT_SECONDS  how long one run of the program under the mock engine may take
                                 before it counts as hung and is stopped (default: 120)`;

/** Shown after the help of every command that has \`--outputs\` (\`promote\`, \`gate\`). */
export const outputsFileHelp = `
--outputs <file> holds what \`pulumi stack output --json --stack <upstream>\` prints: a JSON object
whose "images" output maps each app to the version the upstream deployed, for example
  {"images": {"web": {"tag": "2.1.0", "digest": "sha256:<64 hex>",
                      "image": "<registry>/web:2.1.0@sha256:<64 hex>"}}}
Other outputs are ignored; apps the catalog does not know are ignored. Problems are reported
by key path, never with the file's content (it may hold secrets).
Without --outputs, that command is run (PLATFORM_PULUMI_TIMEOUT_SECONDS: its time limit,
default 120).`;
