/**
 * Git config for the repositories the tests make, which live a few seconds: git's automatic
 * maintenance off. Every commit, fetch and merge would start `git maintenance run --auto`, every
 * push a `git gc --auto` in origin, and `git init` would copy the sample hooks: hundreds of
 * processes and files a run. A fast-import keeps its pack rather than unpacking it in another
 * process. Nothing the tests check depends on them (no identity, nothing else is set).
 * docs/decisions/0059.
 */
export const throwawayGitConfig = `[maintenance]
\tauto = false
[gc]
\tauto = 0
[receive]
\tautoGc = false
[init]
\ttemplateDir =
[fastimport]
\tunpackLimit = 0
`;

/** The author and committer of the commits the tests make where nobody reads who made them. */
export const throwawayGitIdentity = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
} as const;
