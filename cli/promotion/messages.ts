// The words of a change: its branch, pull request title and body, commit message, and the lines
// commands print.
import type { ImageVersion } from "../../apps/image-reference";
import { skewSection, type DeploySkew } from "../deploy-skew";
import { stackFileName } from "../stack-file/files";
import { describeRecord } from "../verified-records";
import { formatVersion } from "../stack-file/read-images";
import type { ImageChange, ImageMove } from "./moves";

/** The trailer that marks a commit the CLI made; only branches made of such commits are overwritten. */
export const generatedTrailer = "Generated-by: platform";

/** The branch of a change's pull request: `promote/production/main-api`, `promote/production/all`. */
export function branchName(change: ImageChange): string {
  const apps = change.requested === "all" ? "all" : change.requested.join("+");
  return `${change.kind}/${change.environment}/${apps}`;
}

const arrow = (move: ImageMove, format: (version: ImageVersion) => string = formatVersion) =>
  `${move.from === undefined ? "(not deployed)" : format(move.from)} → ${format(move.to)}`;

const tagOnly = (version: ImageVersion) => version.tag;

/** What a pull request body says besides the change: the command, the run, the skew. */
export interface BodyContext {
  readonly command: string;
  readonly runUrl?: string;
  readonly skew?: DeploySkew;
}

/** The pull request title: `Promote to production: main-api 1.4.0 → 1.5.0`, `Roll back production: web 2.0.2 → 2.0.1`. */
export function pullRequestTitle(change: ImageChange): string {
  const verb = { release: "Release to", promote: "Promote to", rollback: "Roll back" }[change.kind];
  return `${verb} ${change.environment}: ${change.moves.map((move) => `${move.app} ${arrow(move, tagOnly)}`).join(", ")}`;
}

/** One line per move, as commands print them. */
export function describeMoves(change: ImageChange): string[] {
  const origin = change.source !== undefined ? ` (deployed in ${change.source})` : "";
  return change.moves.map((move) => {
    const ran = move.verified !== undefined ? ` (verified in ${describeRecord(move.verified)})` : origin;
    return `${change.environment}: ${move.app} ${arrow(move)}${ran}`;
  });
}

/**
 * The pull request body: every move with old and new tag and digest, where the new version
 * comes from, and a link to the run that deployed it when known.
 */
export function pullRequestBody(change: ImageChange, context: BodyContext): string {
  if (change.kind === "rollback") return rollbackBody(change, context);
  const code = (version: ImageVersion | undefined) =>
    version === undefined ? "not deployed" : `\`${formatVersion(version)}\``;
  const rows = change.moves.map((move) => `| ${move.app} | ${code(move.from)} | ${code(move.to)} |`);
  const file = stackFileName(change.environment);
  const intro =
    change.kind === "release"
      ? `Releases to **${change.environment}**, the first environment of the pipeline. Merging builds each image from its tag, pushes it and deploys it pinned by digest.`
      : `Promotes to **${change.environment}** the images that **${change.source}** has deployed (its \`images\` stack outputs). Merging deploys exactly these digests.`;
  const run = change.kind === "release" ? "Release run" : `Upstream deployment (${change.source})`;
  return [
    intro,
    "",
    `| App | ${change.environment} now | after merge |`,
    "|---|---|---|",
    ...rows,
    "",
    ...bodyEnd(file, context, run),
  ].join("\n");
}

/** The end of every pull request body: the run, the one file changed, the skew, who opened it. */
function bodyEnd(file: string, context: BodyContext, runLabel: string): string[] {
  return [
    ...(context.runUrl !== undefined ? [`${runLabel}: ${context.runUrl}`, ""] : []),
    `Changes only \`${file}\`.`,
    "",
    ...(context.skew !== undefined ? skewSection(context.skew) : []),
    `<sub>Opened by \`${context.command}\`; running it again updates this pull request.</sub>`,
    "",
  ];
}

/**
 * A rollback's pull request body: per app, from which version to which, and the verification
 * record of the set it goes back to (when, and the run that verified it).
 */
function rollbackBody(change: ImageChange, context: BodyContext): string {
  const code = (version: ImageVersion | undefined) => `\`${formatVersion(version)}\``;
  const rows = change.moves.map((move) => `| ${move.app} | ${code(move.from)} | ${code(move.to)} |`);
  const file = stackFileName(change.environment);
  const record = change.moves.find((move) => move.verified !== undefined)?.verified;
  const source =
    record === undefined
      ? "a set it verified before"
      : `the set it verified in \`${record.name}\` (${describeRecord(record).slice(record.name.length + 2, -1)}, run ${record.run}, commit ${record.commit.slice(0, 7)})`;
  return [
    `Rolls **${change.environment}** back to ${source}. Merging deploys exactly these digests; the gate accepts them at any time because ${change.environment} verified this set together.`,
    "",
    `| App | ${change.environment} now | rolled back to |`,
    "|---|---|---|",
    ...rows,
    "",
    ...bodyEnd(file, context, "Run"),
  ].join("\n");
}

/** The commit message: the title, the moves, and the trailer that marks the commit as generated. */
export function commitMessage(change: ImageChange): string {
  return `${pullRequestTitle(change)}\n\n${describeMoves(change).join("\n")}\n\n${generatedTrailer} ${change.kind}\n`;
}
