/**
 * Every third-party action the workflows and composite actions use, as verified against the
 * action's own repository: the release tag, the commit that tag names (for an annotated tag, the
 * commit it points to, never the tag object: `git rev-list -n1 refs/tags/<tag>`) and the runtime
 * `runs.using` in the action.yml at that commit. test/workflows.test.ts holds every `uses:` line
 * to this table, so a pin that moves (by hand or by Dependabot) fails until someone repeats the
 * check and edits the row. Checked on snapshots of each repository (git show-ref --tags -d,
 * git rev-list -n1, git show <commit>:action.yml); each row is the newest release on node24
 * (azure/use-kubelogin: the newest of major 1). Decision 0040 records the check.
 */
export interface VerifiedAction {
  /** `owner/name` as the workflows spell it in `uses:`. */
  readonly action: string;
  /** The release tag, as the comment beside the pin names it. */
  readonly tag: string;
  /** The commit the tag names (40 hex). */
  readonly commit: string;
  /** The annotated tag object, where the tag is annotated (never what a pin may name). */
  readonly tagObject?: string;
  /** `runs.using` in the action.yml at that commit. */
  readonly runtime: "node24";
}

export const verifiedActions: readonly VerifiedAction[] = [
  {
    action: "actions/checkout",
    tag: "v7.0.1",
    commit: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    runtime: "node24",
  },
  {
    action: "actions/create-github-app-token",
    tag: "v3.1.1",
    commit: "1b10c78c7865c340bc4f6099eb2f838309f1e8c3",
    runtime: "node24",
  },
  {
    action: "actions/download-artifact",
    tag: "v8.0.1",
    commit: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    runtime: "node24",
  },
  {
    action: "actions/setup-node",
    tag: "v7.0.0",
    commit: "820762786026740c76f36085b0efc47a31fe5020",
    runtime: "node24",
  },
  {
    action: "actions/upload-artifact",
    tag: "v7.0.0",
    commit: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    runtime: "node24",
  },
  {
    action: "azure/login",
    tag: "v3.0.1",
    commit: "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca",
    // Annotated: the pin names the commit, not this object.
    tagObject: "858f4093d287a904987dfd22abd163280f939550",
    runtime: "node24",
  },
  {
    action: "azure/use-kubelogin",
    tag: "v1.3",
    commit: "0ce7c36141aa27d4934872cf00b0120804c98a29",
    runtime: "node24",
  },
  {
    action: "docker/setup-buildx-action",
    tag: "v4.3.0",
    commit: "37fe631027851001ddb9b187196cc803df7f5f0e",
    runtime: "node24",
  },
  {
    action: "dorny/paths-filter",
    tag: "v4.0.2",
    commit: "7b450fff21473bca461d4b92ce414b9d0420d706",
    runtime: "node24",
  },
  {
    action: "pulumi/actions",
    tag: "v7.0.0",
    commit: "8e5e406f4007fca908480587cb9893c07090f58d",
    runtime: "node24",
  },
];
