/**
 * The report's stylesheet (inlined; system fonts only, so the page needs no network).
 *
 * @module
 */

/** CSS of the report page. */
export const STYLE = `
:root { --fg: #1d2330; --muted: #5b6474; --line: #e3e6eb; --bg: #f6f7f9; --card: #fff;
  --accent: #1f6fb4; --alert: #c1121f; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, "Noto Sans", "Liberation Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 20px 32px 0; }
h1 { font-size: 22px; margin: 0 0 4px; font-weight: 650; }
h2 { font-size: 19px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 8px; }
.meta { color: var(--muted); margin: 0 0 12px; font-size: 13.5px; }
nav { display: flex; flex-wrap: wrap; gap: 2px 18px; padding-bottom: 10px; font-size: 14px; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 32px 24px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 18px 22px; margin: 18px 0; }
p.lead { margin-top: 0; }
.note { color: var(--muted); font-style: italic; }
code { font: 13px ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
  background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #fbfcfd; }
.card-title { font-size: 13px; color: var(--muted); font-weight: 600; }
.card-value { font-size: 26px; font-weight: 650; margin: 2px 0 4px; font-variant-numeric: tabular-nums; }
.card-sub { font-size: 12.5px; color: var(--muted); margin: -4px 0 6px; }
.card-detail { font-size: 13px; color: var(--fg); }
.card-other { font-size: 12.5px; margin-top: 6px; }
.card-paper { font-size: 12.5px; color: var(--muted); margin-top: 8px; padding-top: 6px;
  border-top: 1px dashed var(--line); }
.tag { display: inline-block; background: #eceef1; color: #555; border-radius: 10px;
  padding: 0 7px; font-size: 11.5px; }
figure.chart-box { margin: 14px 0 6px; }
figure.chart-box figcaption { font-weight: 600; font-size: 14.5px; margin-bottom: 6px; }
.chart { position: relative; width: 100%; height: 380px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: #f3f5f8; position: sticky; top: 0; white-space: nowrap; }
table.sortable thead th { cursor: pointer; user-select: none; }
table.sortable thead th[aria-sort="ascending"]::after { content: " ▲"; font-size: 10px; }
table.sortable thead th[aria-sort="descending"]::after { content: " ▼"; font-size: 10px; }
td.num { text-align: right; white-space: nowrap; }
td.err { color: var(--alert); max-width: 420px; overflow-wrap: anywhere; font-size: 12px; }
#results-table td, #passes-table td { white-space: nowrap; }
#results-table td.err { white-space: normal; min-width: 280px; }
#training-table td { white-space: nowrap; }
#training-table td.err { white-space: normal; min-width: 240px; }
table.scale th[scope="row"] { width: 200px; }
.table-wrap + .table-wrap { margin-top: 16px; }
table.kv th { width: 220px; background: #f8f9fb; }
.sub { color: var(--muted); font-size: 11.5px; }
.status { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; background: #e9ecef; }
tr.status-ok .status { background: #e3f4e8; color: #17692f; }
tr.status-oom .status { background: #fde2e1; color: var(--alert); }
tr.status-timeout .status, tr.status-error .status, tr.status-failed .status { background: #fff1d6; color: #8a5a00; }
tr.status-skipped .status { background: #eceff3; color: #5a6270; }
tr.verdict-faster td:nth-child(8) { color: #17692f; font-weight: 600; }
tr.verdict-slower td:nth-child(8) { color: var(--alert); font-weight: 600; }
p.budgets span { margin-right: 14px; }
.warn { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 11.5px;
  background: #fff1d6; color: #8a5a00; font-weight: 600; }
tr.flag td:first-child { box-shadow: inset 3px 0 0 #e0a100; }
ul.flags { padding-left: 20px; font-size: 13.5px; }
details.case-samples { border-bottom: 1px solid var(--line); padding: 4px 0; font-size: 13.5px; }
details.case-samples summary { cursor: pointer; }
.sample-plots { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
svg.samples { background: #fbfcfd; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; height: auto; }
svg.samples circle { fill: var(--accent); fill-opacity: 0.7; }
svg.samples polyline { fill: none; stroke: var(--accent); stroke-opacity: 0.5; }
svg.samples line.median { stroke: var(--fg); stroke-width: 1.5; }
svg.samples rect.ci { fill: var(--accent); fill-opacity: 0.12; }
svg.samples text { font-size: 11px; fill: var(--muted); }
footer { max-width: 1280px; margin: 0 auto; padding: 0 32px 32px; color: var(--muted); font-size: 12.5px; }
`;
