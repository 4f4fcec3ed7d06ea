// Where a pull request's preview left its fingerprint, and reading a preview from a file.
import { readFile } from "node:fs/promises";
import { InputError } from "../errors";
import type { Artifact, GitHub, MergedPullRequest } from "../github";
import {
  isFingerprintDocument,
  operationsOf,
  readFingerprintDocument,
  type FingerprintDocument,
  type PlannedOperation,
} from "./operations";
import { filesInZip } from "./zip";

/** The label that lets a merged pull request deploy although its fingerprint differs. */
export const overrideLabel = "deploy:override-fingerprint";

/** The file in a fingerprint artifact. */
export const fingerprintFile = "fingerprint.json";

/** The artifact a pull request's preview of an environment uploads (preview.yml). */
export const fingerprintArtifactName = (environment: string, pullRequest: number): string =>
  `fingerprint-${environment}-pr-${pullRequest}`;

/**
 * The planned operations in a file: `pulumi preview --json` output, or a fingerprint document
 * (`platform plan --fingerprint --out`, `platform fingerprint show --out`).
 * @throws InputError for a missing, empty or malformed file, or a preview that failed
 */
export async function readPlannedOperations(file: string, environment: string): Promise<PlannedOperation[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(
      `cannot read the preview ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  if (text.trim() === "") {
    throw new InputError(
      `the preview ${file} is empty: pulumi preview --json failed before it printed its result (see its log)`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `the preview ${file} is not JSON (${(error as Error).message}); write it with pulumi preview --json > ${file}`,
    );
  }
  return isFingerprintDocument(value)
    ? [...readFingerprintDocument(value, environment, file).operations]
    : operationsOf(value, environment, file);
}

/** What a merged pull request's last successful preview of an environment published. */
export interface PreviewedFingerprint {
  readonly pullRequest: MergedPullRequest;
  readonly artifact: Artifact;
  readonly document: FingerprintDocument;
}

/**
 * The merged pull request whose merge commit is `commit`.
 * @throws InputError when none is: a deploy applies only what a pull request previewed
 */
export async function mergedPullRequestOf(github: GitHub, commit: string): Promise<MergedPullRequest> {
  const pulls = await github.mergedPullRequestsOf(commit);
  const merged = pulls.find((pull) => pull.mergeCommitSha === commit);
  if (merged !== undefined) return merged;
  const others = pulls.map((pull) => `#${pull.number} (merged as ${pull.mergeCommitSha.slice(0, 12)})`);
  throw new InputError(
    `no pull request of ${github.repository} was merged as ${commit}${
      others.length > 0 ? `; the commit belongs to ${others.join(", ")}` : ""
    }: nothing previewed what it deploys`,
  );
}

/**
 * The fingerprint a merged pull request's last successful preview of `environment` published:
 * the newest unexpired artifact `fingerprint-<environment>-pr-<n>` uploaded for the pull
 * request's last head commit (the preview job uploads it only when the preview succeeded).
 * @throws InputError when there is none, or when it is malformed
 */
export async function previewedFingerprint(
  github: GitHub,
  environment: string,
  pullRequest: MergedPullRequest,
): Promise<PreviewedFingerprint> {
  const name = fingerprintArtifactName(environment, pullRequest.number);
  const artifacts = await github.artifactsNamed(name);
  const artifact = artifacts.find(
    (candidate) => candidate.name === name && !candidate.expired && candidate.headSha === pullRequest.headSha,
  );
  if (artifact === undefined) {
    const older = artifacts.filter((candidate) => candidate.headSha !== pullRequest.headSha).length;
    const expired = artifacts.filter((candidate) => candidate.expired).length;
    throw new InputError(
      `pull request #${pullRequest.number} has no successful preview of ${environment} for its last commit ${pullRequest.headSha.slice(0, 12)}: no artifact ${name} from it${
        older > 0 ? ` (${older} from earlier commits)` : ""
      }${expired > 0 ? ` (${expired} expired)` : ""}; re-run its preview (preview.yml), or deploy with the override`,
    );
  }
  const source = `artifact ${name} (id ${artifact.id}, run ${artifact.runId})`;
  let files: Map<string, Buffer>;
  try {
    files = filesInZip(await github.downloadArtifact(artifact.id));
  } catch (error) {
    if (!(error instanceof Error) || error.name === "GitHubError" || error instanceof InputError) throw error;
    throw new InputError(`${source}: malformed fingerprint: ${error.message}`);
  }
  const text = files.get(fingerprintFile);
  if (text === undefined) {
    throw new InputError(
      `${source}: malformed fingerprint: no ${fingerprintFile} in it (it holds ${[...files.keys()].join(", ") || "nothing"})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text.toString("utf8"));
  } catch (error) {
    throw new InputError(
      `${source}: malformed fingerprint: ${fingerprintFile} is not JSON (${(error as Error).message})`,
    );
  }
  return { pullRequest, artifact, document: readFingerprintDocument(value, environment, source) };
}
