import { environmentNames, environments } from "../../environments";
import { digest } from "../../test/git-fixture";
import { downstreamOf, first, last } from "../../test/pipeline-names";
import type { VerifiedRecord } from "../verified-records";
import { pipelineMermaid } from "./mermaid";
import { pipelineView } from "./pipeline";

const now = Date.parse("2026-12-07T10:00:00Z"); // a Monday, 11:00 in Amsterdam: inside the last's window
const next = downstreamOf(first);
const record = (minutesAgo: number, web: string, hex: string): VerifiedRecord => ({
  name: `verified/${first}/${minutesAgo}`,
  environment: first,
  commit: "a".repeat(40),
  verifiedAt: now - minutesAgo * 60000,
  run: "https://github.test/acme/platform/actions/runs/1",
  images: { web: { tag: web, digest: digest(hex) } },
});

describe("pipelineView", () => {
  test("soak left counts from the first of the consecutive records holding the version", () => {
    const view = pipelineView({
      // The first runs 2.1.0; every later environment 2.0.0, so only the first promotes.
      current: Object.fromEntries(
        environmentNames.map((name) => [
          name,
          name === first ? { web: { tag: "2.1.0" } } : { web: { tag: "2.0.0", digest: digest("2") } },
        ]),
      ) as Parameters<typeof pipelineView>[0]["current"],
      // 2.0.0 earlier, then 2.1.0 verified 25 and 10 minutes ago: its stint began 25 minutes ago.
      records: [record(90, "2.0.0", "2"), record(25, "2.1.0", "b"), record(10, "2.1.0", "b")],
      settings: environments,
      now,
    });
    const web = view.environments[0]!.apps.find((cell) => cell.app === "web")!;
    expect(web).toEqual({ app: "web", version: "2.1.0", verified: true, soakLeftMinutes: 35 });
    expect(view.pending).toEqual([
      {
        from: first,
        to: next,
        app: "web",
        version: "2.1.0@sha256:bbbbbbbbbbbb",
        current: "2.0.0@sha256:222222222222",
        verifiedAt: "2026-12-07T09:35:00.000Z",
        soakLeftMinutes: 35,
      },
    ]);
    expect(view.environments.at(-1)!.policy).toMatchObject({ open: true, soakMinutes: 60 });
    expect(view.environments.at(-1)!.name).toBe(last);
    expect(pipelineMermaid(view)).toContain(`${first} -->|"web 2.1.0 soak 35 min left"| ${next}`);
  });
});
