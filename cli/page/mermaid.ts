// The job summary's picture of the pipeline: a Mermaid flowchart, which GitHub renders in
// Markdown (pure).
import { formatMinutes } from "../metrics/format";
import type { PipelineView } from "./pipeline";

/** Mermaid label text: no quote, bracket or pipe that would end the label. */
const label = (text: string) => text.replace(/["[\]|<>{}#]/g, " ");

/**
 * A `flowchart LR`: one node per environment in pipeline order, listing each app's version and
 * whether it is verified, and an edge from each upstream saying what is pending and the soak left.
 */
export function pipelineMermaid(view: PipelineView): string {
  const lines = ["flowchart LR"];
  for (const environment of view.environments) {
    const apps = environment.apps
      .filter((cell) => cell.version !== undefined)
      .map((cell) =>
        label(`${cell.app} ${cell.version!.split("@")[0]} ${cell.verified ? "verified" : "NOT verified"}`),
      );
    const policy =
      environment.policy === undefined
        ? []
        : [label(environment.policy.open ? "promotions open" : "promotions closed")];
    lines.push(
      `  ${environment.name}["${[`<b>${environment.name}</b>`, ...apps, ...policy].join("<br/>")}"]`,
    );
  }
  for (const environment of view.environments) {
    if (environment.upstream === undefined) continue;
    const pending = view.pending.filter((entry) => entry.to === environment.name);
    const text =
      pending.length === 0
        ? "nothing pending"
        : pending
            .map(
              (entry) =>
                `${entry.app} ${entry.version.split("@")[0]}${entry.soakLeftMinutes > 0 ? ` soak ${formatMinutes(entry.soakLeftMinutes)} left` : ""}`,
            )
            .join(", ");
    lines.push(`  ${environment.upstream} -->|"${label(text)}"| ${environment.name}`);
  }
  for (const environment of view.environments) {
    const unverified = environment.apps.some((cell) => cell.version !== undefined && !cell.verified);
    lines.push(
      `  style ${environment.name} ${unverified ? "stroke:#b35900,stroke-width:3px" : "stroke:#116329,stroke-width:2px"}`,
    );
  }
  return lines.join("\n");
}

/** The job summary: the diagram and where the page is. */
export function jobSummary(view: PipelineView, pageNote: string): string {
  return ["## Pipeline", "", "```mermaid", pipelineMermaid(view), "```", "", pageNote, ""].join("\n");
}
