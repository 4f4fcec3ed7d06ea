import { formatRecordMessage, recordTagName } from "../cli/verified-records";
import type { EnvironmentName } from "../environments";
import { refCommit, type GitFixture } from "./git-fixture";

const identity = {
  GIT_COMMITTER_NAME: "platform-recorder[bot]",
  GIT_COMMITTER_EMAIL: "recorder@platform.invalid",
};

/**
 * Creates a verification record in origin, as the deploy workflow's `platform record` pushes it:
 * an annotated tag `verified/<env>/<time>-<commit>` on origin's main (or `commit`).
 * `images` maps app to `tag@digest`.
 */
export function pushRecord(
  fixture: GitFixture,
  environment: EnvironmentName,
  images: Readonly<Record<string, string>>,
  verifiedAt: string,
  options: { commit?: string; message?: string } = {},
): string {
  const commit = options.commit ?? refCommit(fixture, fixture.origin, "refs/heads/main");
  const time = Date.parse(verifiedAt);
  const name = recordTagName({ environment, verifiedAt: time, commit });
  const message =
    options.message ??
    formatRecordMessage({
      environment,
      commit,
      verifiedAt: time,
      run: "https://github.test/acme/platform/actions/runs/1",
      images: Object.fromEntries(
        Object.entries(images).map(([app, ref]) => {
          const at = ref.lastIndexOf("@");
          return [app, { tag: ref.slice(0, at), digest: ref.slice(at + 1) }];
        }),
      ),
    });
  fixture.git(
    ["tag", "--annotate", "--no-sign", "--file=-", name, commit],
    fixture.origin,
    identity,
    message,
  );
  return name;
}
