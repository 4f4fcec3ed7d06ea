// Break-glass: a promotion outside its windows, or before its soak, that two people with write
// access approved (docs/decisions/0047).
import type { GitHub, PullRequestReviews } from "../github";
import type { BreakGlass } from "./gate";

/** Review states that replace a reviewer's earlier verdict; `COMMENTED` and `PENDING` do not. */
const verdictStates = ["APPROVED", "CHANGES_REQUESTED", "DISMISSED"];

/** The permissions that may push to the repository (`maintain` is reported as `write`). */
const writeAccess = ["admin", "write"];

/** How many different people must approve. */
export const breakGlassApprovers = 2;

/**
 * The reviewers whose latest verdict is an approval of the pull request's head commit, other
 * than its author, in the order they approved.
 */
export function approversOfHead(pull: PullRequestReviews): string[] {
  const latest = new Map<string, { state: string; commitId: string }>();
  for (const review of pull.reviews) {
    if (verdictStates.includes(review.state)) latest.set(review.user, review);
  }
  return [...latest]
    .filter(
      ([user, review]) =>
        review.state === "APPROVED" && review.commitId === pull.headSha && user !== pull.author,
    )
    .map(([user]) => user);
}

/**
 * Whether break-glass holds: at least two different people other than the author approved the
 * head commit, each with write access (by `permissions`, user to permission).
 */
export function judgeBreakGlass(
  pull: PullRequestReviews,
  permissions: Readonly<Record<string, string>>,
): BreakGlass {
  const approvers = approversOfHead(pull);
  const counted = approvers.filter((user) => writeAccess.includes(permissions[user] ?? "none"));
  if (counted.length >= breakGlassApprovers) {
    return { approved: true, detail: `approved by ${counted.join(" and ")}, who have write access` };
  }
  const without = approvers.filter((user) => !counted.includes(user));
  const selfApproved = pull.reviews.some(
    (review) => review.user === pull.author && review.state === "APPROVED",
  );
  const notes = [
    ...(without.length > 0 ? [`${without.join(", ")} approved without write access`] : []),
    ...(selfApproved ? [`the author's (${pull.author}) own approval does not count`] : []),
  ];
  return {
    approved: false,
    detail: `pull request #${pull.number} needs approvals of its head commit ${pull.headSha.slice(0, 7)} by ${breakGlassApprovers} different people with write access other than its author, and has ${counted.length}${counted.length > 0 ? ` (${counted.join(", ")})` : ""}${notes.length > 0 ? `; ${notes.join("; ")}` : ""}`,
  };
}

/** Reads the pull request's reviews and the approvers' permissions, then judges. */
export async function readBreakGlass(github: GitHub, pull: PullRequestReviews): Promise<BreakGlass> {
  const permissions: Record<string, string> = {};
  for (const user of approversOfHead(pull)) permissions[user] = await github.permission(user);
  return judgeBreakGlass(pull, permissions);
}
