/** The page's styles, inlined. */
export const STYLE = `
:root { color-scheme: light; --fg: #1d2329; --muted: #5f6b76; --line: #dde3e8; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
header { padding: 18px 28px 10px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: #fffffff2; z-index: 2; }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 0 0 4px; font-size: 17px; }
#summary { margin: 0; color: var(--muted); }
.meta { margin: 2px 0 8px; color: var(--muted); font-size: 12px; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; font-size: 13px; }
nav a:hover { text-decoration: underline; }
main { padding: 8px 28px 40px; }
section { margin: 22px 0 30px; }
.desc { margin: 0 0 10px; color: var(--muted); max-width: 900px; }
.table-wrap { max-height: 460px; overflow: auto; border: 1px solid var(--line); border-radius: 4px; }
table { border-collapse: collapse; font-size: 13px; width: max-content; min-width: 100%; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
thead th { position: sticky; top: 0; background: #f4f6f8; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; font-size: 10px; }
th[aria-sort="descending"]::after { content: " ▼"; font-size: 10px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.absent { color: var(--muted); text-align: center; }
td.reason { max-width: 420px; overflow: hidden; text-overflow: ellipsis; color: var(--muted); }
.state-complete { color: #2a7a2a; } .state-pruned { color: #8a6d00; } .state-failed { color: #b22222; } .state-running { color: var(--accent); }
.chart { overflow-x: auto; }
.empty { color: var(--muted); font-style: italic; }
table.ranges { margin-top: 12px; }
footer { padding: 12px 28px 24px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
`;
