/** The dashboard's stylesheet (served from the runtime itself: no CDN, works offline). */
export const dashboardCss = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #fff; --soft: #f6f8fa;
  --accent: #0a58ca; --ok: #116329; --bad: #a40e26; --warn: #7a4b00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, pre:focus-visible, main:focus-visible {
  outline: 3px solid #0a58ca; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .5rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--soft); }
.brand { margin: 0; font-weight: 700; } .brand a { color: var(--fg); text-decoration: none; }
.env { font-weight: 400; color: var(--muted); font-size: .85em; }
nav ul { display: flex; gap: .25rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
nav a { display: block; padding: .35rem .75rem; border-radius: 6px; text-decoration: none; }
nav a[aria-current="page"] { background: #ddf4ff; color: #0a3069; font-weight: 600; }
.badge { margin: 0; padding: .1rem .6rem; border-radius: 999px; font-size: .8rem; border: 1px solid var(--line); }
.badge.sandbox { background: #fff8c5; color: var(--warn); } .badge.readonly { background: #eaeef2; }
main { padding: 1rem 1.5rem 3rem; max-width: 1200px; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
pre.json, pre.stack { background: var(--soft); border: 1px solid var(--line); padding: .75rem; overflow: auto; max-height: 24rem; white-space: pre-wrap; word-break: break-word; }
.muted { color: var(--muted); }
.status { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; border: 1px solid var(--line); background: var(--soft); }
.status-COMPLETED, .status-active, .status-processed { color: var(--ok); background: #dafbe1; border-color: #aceebb; }
.status-FAILED, .status-EXPIRED, .status-failed, .status-expired, .status-error, .status-malformed { color: var(--bad); background: #ffebe9; border-color: #ffcecb; }
.status-EXECUTING, .status-processing { color: #0a3069; background: #ddf4ff; border-color: #b6e3ff; }
.status-health-ok { color: var(--ok); background: #dafbe1; border-color: #aceebb; }
.status-health-degraded { color: var(--warn); background: #fff8c5; border-color: #f5e0a0; }
.status-health-failing { color: var(--bad); background: #ffebe9; border-color: #ffcecb; }
ul.tenants { columns: 3 16rem; padding-left: 1.25rem; }
progress { width: 16rem; height: 1rem; vertical-align: middle; }
.status-health-ok { color: var(--ok); background: #dafbe1; border-color: #aceebb; }
.status-health-degraded { color: var(--warn); background: #fff8c5; border-color: #f5e0a0; }
.status-health-failing { color: var(--bad); background: #ffebe9; border-color: #ffcecb; }
ul.tenants { columns: 3 16rem; padding-left: 1.25rem; }
progress { width: 16rem; height: 1rem; vertical-align: middle; }
.status-DELAYED, .status-QUEUED, .status-received, .status-unrouted { color: var(--warn); background: #fff8c5; border-color: #f5e0a0; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: 1rem; }
label { display: block; font-weight: 600; font-size: .85rem; }
.field { display: flex; flex-direction: column; gap: .2rem; margin-bottom: .75rem; }
.hint { font-size: .8rem; color: var(--muted); font-weight: 400; }
input, select, textarea { font: inherit; padding: .35rem .5rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--fg); }
textarea { width: 100%; min-height: 14rem; font-family: ui-monospace, Menlo, monospace; font-size: .85rem; }
textarea[aria-invalid="true"] { border-color: var(--bad); }
button { font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid #1f6feb; background: #1f6feb; color: #fff; cursor: pointer; font-weight: 600; }
button.secondary { background: #fff; color: var(--fg); border-color: #8c959f; }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; margin: .5rem 0 1rem; } .actions form { margin: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
dl.facts dt { font-weight: 600; color: var(--muted); } dl.facts dd { margin: 0; }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
.notice { padding: .5rem .75rem; border-radius: 6px; border: 1px solid var(--line); background: var(--soft); }
.notice.error { border-color: #ffcecb; background: #ffebe9; color: var(--bad); }
.error-text { color: var(--bad); }
footer { padding: 1rem 1.5rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); }
`;
