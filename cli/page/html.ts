// The pipeline page: one self-contained HTML file (inline CSS and SVG, no script, font or
// external request), so it works from an Actions artifact, GitHub Pages or a file on disk (pure).
// Accessibility: real headings, tables with captions and scoped headers, every chart an
// `role="img"` SVG with a title and description and the same data in a table, colours of at least
// 4.5:1 against their background (WCAG 2.1 AA, 1.4.3), verified/not verified said in words.
import { appNames } from "../../apps/catalog";
import { environmentNames } from "../../environments";
import type { AppMetrics, DeployOutcome, Metrics } from "../metrics/figures";
import { formatMinutes, formatTime } from "../metrics/format";
import type { PipelineView } from "./pipeline";

/** What the page needs besides the data: where it links to. */
export interface PageContext {
  /** `https://github.com/acme/platform`; no links to pull requests without it. */
  readonly repositoryUrl: string | undefined;
  readonly generatedAt: string;
  readonly commit: string;
}

/** Escapes text for HTML content and attribute values. */
export const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

const h = escapeHtml;

// Text colours on white and on their badge backgrounds are 7:1 or more; bars 4.5:1 or more.
const css = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1b1f24; background: #ffffff; line-height: 1.45; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 0.25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
p.meta { color: #3d444d; margin: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
thead th { background: #f0f3f6; }
tbody th { font-weight: 600; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; }
a { color: #0349b4; }
.ok { color: #0a5c26; background: #e6f4ea; }
.bad { color: #8a1c1c; background: #fdecea; }
.wait { color: #6b3d00; background: #fff4d6; }
.badge { display: inline-block; border-radius: 0.8rem; padding: 0 0.5rem; font-size: 0.85em; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 0.25rem; }
svg text { font-family: inherit; }
`;

const badge = (kind: "ok" | "bad" | "wait", text: string) => `<span class="badge ${kind}">${h(text)}</span>`;

const link = (url: string | undefined, text: string) =>
  url === undefined ? h(text) : `<a href="${h(url)}">${h(text)}</a>`;

const pullRequestUrl = (context: PageContext, number: number | undefined) =>
  number === undefined || context.repositoryUrl === undefined
    ? undefined
    : `${context.repositoryUrl}/pull/${number}`;

/** The pipeline as a picture: a box per environment, in order, with arrows and what is pending. */
function pipelineSvg(view: PipelineView): string {
  const boxWidth = 300;
  const gap = 90;
  const rows = appNames.length;
  const boxHeight = 60 + rows * 22 + 22;
  const width = view.environments.length * boxWidth + (view.environments.length - 1) * gap + 20;
  const height = boxHeight + 20;
  const description = view.environments
    .map(
      (environment) =>
        `${environment.name}: ${environment.apps
          .map(
            (cell) =>
              `${cell.app} ${cell.version === undefined ? "not deployed" : `${cell.version.split("@")[0]} ${cell.verified ? "verified" : "not verified"}`}`,
          )
          .join(", ")}`,
    )
    .join("; ");
  const parts: string[] = [];
  view.environments.forEach((environment, position) => {
    const x = 10 + position * (boxWidth + gap);
    const unverified = environment.apps.some((cell) => cell.version !== undefined && !cell.verified);
    parts.push(
      `<rect x="${x}" y="10" width="${boxWidth}" height="${boxHeight}" rx="8" fill="#ffffff" stroke="${unverified ? "#8f4700" : "#116329"}" stroke-width="2"/>`,
      `<text x="${x + 12}" y="36" font-size="17" font-weight="700" fill="#1b1f24">${position + 1}. ${h(environment.name)}</text>`,
    );
    environment.apps.forEach((cell, row) => {
      const y = 62 + row * 22;
      const state =
        cell.version === undefined ? "not deployed" : cell.verified ? "✓ verified" : "✗ not verified";
      parts.push(
        `<text x="${x + 12}" y="${y}" font-size="13" fill="#1b1f24">${h(cell.app)} <tspan font-weight="600">${h(cell.version?.split("@")[0] ?? "-")}</tspan></text>`,
        `<text x="${x + boxWidth - 12}" y="${y}" font-size="13" text-anchor="end" fill="${cell.version === undefined ? "#3d444d" : cell.verified ? "#0a5c26" : "#8a1c1c"}">${h(state)}</text>`,
      );
    });
    const policy = environment.policy;
    parts.push(
      `<text x="${x + 12}" y="${62 + rows * 22 + 6}" font-size="12" fill="#3d444d">${h(policy === undefined ? "no promotion policy" : `${policy.open ? "promotions open" : "promotions closed"}, soak ${policy.soakMinutes} min`)}</text>`,
    );
    if (environment.upstream !== undefined) {
      const x1 = x - gap + 6;
      const x2 = x - 8;
      const y = 10 + boxHeight / 2;
      const pending = view.pending.filter((entry) => entry.to === environment.name).length;
      parts.push(
        `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="#1b1f24" stroke-width="2"/>`,
        `<polygon points="${x2},${y} ${x2 - 9},${y - 5} ${x2 - 9},${y + 5}" fill="#1b1f24"/>`,
        `<text x="${(x1 + x2) / 2}" y="${y - 8}" font-size="12" text-anchor="middle" fill="#1b1f24">${pending === 0 ? "up to date" : `${pending} pending`}</text>`,
      );
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="pipeline-title pipeline-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title id="pipeline-title">The pipeline, environments in promotion order</title><desc id="pipeline-desc">${h(description)}</desc>${parts.join("")}</svg>`;
}

/** A horizontal bar chart: one bar per labelled value, with the value printed beside it. */
function barChart(
  id: string,
  title: string,
  bars: readonly { label: string; value: number; text: string }[],
): string {
  const rowHeight = 22;
  const labelWidth = 190;
  const barWidth = 200;
  const height = bars.length * rowHeight + 10;
  const width = labelWidth + barWidth + 90;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const description = bars.map((bar) => `${bar.label}: ${bar.text}`).join("; ");
  const rows = bars.map((bar, index) => {
    const y = 5 + index * rowHeight;
    const length = Math.round((bar.value / max) * barWidth);
    return (
      `<text x="${labelWidth - 6}" y="${y + 15}" font-size="12" text-anchor="end" fill="#1b1f24">${h(bar.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${length}" height="15" fill="#0b5cad"/>` +
      `<text x="${labelWidth + length + 5}" y="${y + 15}" font-size="12" fill="#1b1f24">${h(bar.text)}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title ${id}-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title id="${id}-title">${h(title)}</title><desc id="${id}-desc">${h(description)}</desc>${rows.join("")}</svg>`;
}

const rowLabel = (metrics: AppMetrics) => `${metrics.app} → ${metrics.environment}`;

function metricsSection(metrics: Metrics): string {
  const charts = [
    barChart(
      "chart-frequency",
      "Verified deploys a week",
      metrics.apps.map((app) => ({
        label: rowLabel(app),
        value: app.deployFrequency.perWeek ?? 0,
        text: `${app.deployFrequency.perWeek ?? 0} a week (${app.deployFrequency.deploys})`,
      })),
    ),
    barChart(
      "chart-lead",
      "Median lead time from release",
      metrics.apps.map((app) => ({
        label: rowLabel(app),
        value: app.leadTime.medianMinutes ?? 0,
        text: formatMinutes(app.leadTime.medianMinutes),
      })),
    ),
    barChart(
      "chart-failure",
      "Change failure rate",
      metrics.apps.map((app) => ({
        label: rowLabel(app),
        value: app.changeFailureRate.rate ?? 0,
        text:
          app.changeFailureRate.rate === undefined
            ? "n/a"
            : `${Math.round(app.changeFailureRate.rate * 100)}% (${app.changeFailureRate.failures}/${app.changeFailureRate.deploys})`,
      })),
    ),
    barChart(
      "chart-restore",
      "Median time to restore",
      metrics.apps.map((app) => ({
        label: rowLabel(app),
        value: app.timeToRestore.medianMinutes ?? 0,
        text: formatMinutes(app.timeToRestore.medianMinutes),
      })),
    ),
  ];
  const titles = [
    "Verified deploys a week",
    "Median lead time from release",
    "Change failure rate",
    "Median time to restore",
  ];
  const rows = metrics.apps.map((app) => {
    const stages = app.leadTime.stageMedians;
    const stageText = (["review", "deploy", "soak", "promotion"] as const)
      .filter((stage) => stages[stage] !== undefined)
      .map((stage) => `${stage} ${formatMinutes(stages[stage])}`)
      .join(", ");
    return `<tr><th scope="row">${h(app.app)}</th><td>${h(app.environment)}</td><td>${app.deployFrequency.deploys} (${app.deployFrequency.perWeek ?? 0} a week)</td><td>${h(formatMinutes(app.leadTime.medianMinutes))}${stageText === "" ? "" : ` <small>(${h(stageText)})</small>`} <small>of ${app.leadTime.count}</small></td><td>${app.changeFailureRate.rate === undefined ? "n/a" : `${Math.round(app.changeFailureRate.rate * 100)}% (${app.changeFailureRate.failures} of ${app.changeFailureRate.deploys})`}</td><td>${h(formatMinutes(app.timeToRestore.medianMinutes))} <small>of ${app.timeToRestore.count}</small></td></tr>`;
  });
  return `<section aria-labelledby="metrics-heading">
<h2 id="metrics-heading">Delivery metrics</h2>
<p>From ${h(formatTime(metrics.since))} to ${h(formatTime(metrics.until))} UTC, from git history and the verification records (definitions: <code>docs/metrics.md</code>; <code>platform metrics</code> lists the events behind each figure).</p>
${metrics.notes.length === 0 ? "" : `<ul>${metrics.notes.map((note) => `<li>${h(note)}</li>`).join("")}</ul>`}
<div class="charts">
${charts.map((chart, index) => `<figure><figcaption>${h(titles[index]!)}</figcaption>${chart}</figure>`).join("\n")}
</div>
<table id="metrics-table">
<caption>Delivery metrics per app and environment (the charts' data)</caption>
<thead><tr><th scope="col">App</th><th scope="col">Environment</th><th scope="col">Verified deploys</th><th scope="col">Median lead time</th><th scope="col">Change failure rate</th><th scope="col">Median time to restore</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</section>`;
}

function pipelineSection(view: PipelineView): string {
  const header = view.environments
    .map((environment) => `<th scope="col">${h(environment.name)}</th>`)
    .join("");
  const rows = appNames.map((app) => {
    const cells = view.environments.map((environment) => {
      const cell = environment.apps.find((entry) => entry.app === app)!;
      if (cell.version === undefined) return "<td>not deployed</td>";
      const soak =
        cell.soakLeftMinutes === undefined
          ? ""
          : cell.soakLeftMinutes > 0
            ? ` ${badge("wait", `soak: ${formatMinutes(cell.soakLeftMinutes)} left`)}`
            : ` ${badge("ok", "soaked")}`;
      return `<td><code>${h(cell.version)}</code> ${cell.verified ? badge("ok", "verified") : badge("bad", "not verified")}${soak}</td>`;
    });
    return `<tr><th scope="row">${h(app)}</th>${cells.join("")}</tr>`;
  });
  const environments = view.environments.map((environment) => {
    const record = environment.latestRecord;
    const policy = environment.policy;
    const items = [
      `<li>Latest verification record: ${record === undefined ? "none yet" : `<code>${h(record.name)}</code> (${h(formatTime(record.verifiedAt))} UTC, ${link(record.run, "run")})`}</li>`,
      ...(policy === undefined
        ? [`<li>Promotions into ${h(environment.name)}: no windows, no soak, no freeze</li>`]
        : [
            `<li>Soak before a set moves here: ${policy.soakMinutes} min; windows: ${h(policy.windows)}</li>`,
            `<li>Now: ${policy.open ? badge("ok", "open") : badge("bad", "closed")} ${h(policy.now)}</li>`,
            `<li>Freezes: ${policy.freezes.length === 0 ? "none" : policy.freezes.map((freeze) => `${h(freeze.from)} to ${h(freeze.to)}: ${h(freeze.reason)}`).join("; ")}</li>`,
          ]),
    ];
    return `<h3>${h(environment.name)}${environment.upstream === undefined ? "" : ` <small>(promoted from ${h(environment.upstream)})</small>`}</h3><ul>${items.join("")}</ul>`;
  });
  const pending =
    view.pending.length === 0
      ? "<p>None: every downstream environment runs what its upstream verified last.</p>"
      : `<table id="pending-table"><caption>Sets verified upstream, not yet in the downstream environment</caption>
<thead><tr><th scope="col">App</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Version verified upstream</th><th scope="col">Runs there now</th><th scope="col">Verified since (UTC)</th><th scope="col">Soak</th></tr></thead>
<tbody>${view.pending
          .map(
            (entry) =>
              `<tr><th scope="row">${h(entry.app)}</th><td>${h(entry.from)}</td><td>${h(entry.to)}</td><td><code>${h(entry.version)}</code></td><td>${entry.current === undefined ? "not deployed" : `<code>${h(entry.current)}</code>`}</td><td>${h(formatTime(entry.verifiedAt))}</td><td>${entry.soakLeftMinutes > 0 ? badge("wait", `${formatMinutes(entry.soakLeftMinutes)} left`) : badge("ok", "soaked")}</td></tr>`,
          )
          .join("\n")}</tbody></table>`;
  return `<section aria-labelledby="pipeline-heading">
<h2 id="pipeline-heading">Pipeline</h2>
<figure>${pipelineSvg(view)}</figure>
<table id="versions-table">
<caption>Each app's version per environment (the picture's data), in promotion order</caption>
<thead><tr><th scope="col">App</th>${header}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
${environments.join("\n")}
</section>
<section aria-labelledby="pending-heading">
<h2 id="pending-heading">Pending promotions</h2>
${pending}
</section>`;
}

function deploysSection(deploys: readonly DeployOutcome[], context: PageContext): string {
  const last = deploys.slice(0, 20);
  const outcome = (deploy: DeployOutcome) =>
    deploy.status === "verified"
      ? deploy.failure === undefined
        ? badge("ok", "verified")
        : badge("bad", "verified, rolled back")
      : deploy.status === "failed"
        ? badge("bad", "failed: no record")
        : deploy.status === "pending"
          ? badge("wait", "pending")
          : badge("wait", "before records");
  const rows = last.map(
    (deploy) =>
      `<tr><td>${h(formatTime(deploy.mergedAt))}</td><td>${h(deploy.environment)}</td><th scope="row">${h(deploy.app)}</th><td><code>${h(deploy.version)}</code></td><td>${h(deploy.kind)}</td><td>${deploy.pullRequest === undefined ? `<code>${h(deploy.commit.slice(0, 7))}</code>` : link(pullRequestUrl(context, deploy.pullRequest), `#${deploy.pullRequest}`)}</td><td>${outcome(deploy)}</td><td>${deploy.run === undefined ? "-" : link(deploy.run, "run")}</td></tr>`,
  );
  return `<section aria-labelledby="deploys-heading">
<h2 id="deploys-heading">Last ${last.length} deploys and rollbacks</h2>
${
  last.length === 0
    ? "<p>No stack file on the default branch changed an app's version yet.</p>"
    : `<table id="deploys-table">
<caption>The latest changes of an app's version in an environment, newest first</caption>
<thead><tr><th scope="col">Merged (UTC)</th><th scope="col">Environment</th><th scope="col">App</th><th scope="col">Version</th><th scope="col">Kind</th><th scope="col">Pull request</th><th scope="col">Outcome</th><th scope="col">Run</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`
}
</section>`;
}

/** The whole page. */
export function pipelinePage(view: PipelineView, metrics: Metrics, context: PageContext): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pipeline: ${h(environmentNames.join(" → "))}</title>
<link rel="icon" href="data:,">
<style>${css}</style>
</head>
<body>
<header>
<h1>Pipeline: ${h(environmentNames.join(" → "))}</h1>
<p class="meta">Generated ${h(formatTime(context.generatedAt))} UTC from commit <code>${h(context.commit.slice(0, 7))}</code> by <code>platform page</code>.</p>
</header>
<main>
${pipelineSection(view)}
${deploysSection(metrics.deploys, context)}
${metricsSection(metrics)}
</main>
</body>
</html>
`;
}
