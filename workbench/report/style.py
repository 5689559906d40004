"""The report's stylesheet, inlined in the page so the file needs nothing else (print-friendly too)."""

CSS = """
:root { --ink: #1d2733; --muted: #5b6878; --line: #d9dee5; --high: #c0392b; --medium: #e67e22;
        --low: #b7950b; --good: #1e8449; --accent: #13b5ea; }
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0; background: #f6f8fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
header.report { border-bottom: 4px solid var(--accent); margin-bottom: 16px; }
header.report p { color: var(--muted); margin: 4px 0 12px; }
nav ol { columns: 2; padding-left: 20px; }
h1 { font-size: 28px; margin: 8px 0; }
h2 { font-size: 22px; margin-top: 40px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 17px; margin-top: 24px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.tile .value { font-size: 20px; font-weight: 600; }
.tile .label { color: var(--muted); font-size: 12px; }
.finding { border-left: 4px solid var(--line); padding: 6px 12px; margin: 10px 0; background: #fbfcfd; }
.finding header { font-weight: 600; }
.finding.high { border-color: var(--high); }
.finding.medium { border-color: var(--medium); }
.finding.low { border-color: var(--low); }
.badge { text-transform: uppercase; font-size: 11px; padding: 1px 6px; border-radius: 3px; color: #fff;
         background: var(--muted); }
.high .badge { background: var(--high); }
.medium .badge { background: var(--medium); }
.low .badge { background: var(--low); }
.fix { margin: 4px 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; margin: 6px 0; }
dt { color: var(--muted); }
dd { margin: 0; }
details.kind { margin: 8px 0; }
details.kind > summary { font-size: 15px; padding: 4px 0; }
details.cluster { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; margin: 6px 0; }
details summary { cursor: pointer; font-weight: 600; }
.recommendation { font-size: 16px; border-left: 4px solid var(--accent); padding-left: 12px; }
.good { color: var(--good); }
.chart { margin: 8px 0 16px; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
@media print { body { background: #fff; } main { max-width: none; padding: 0; }
               details { display: block; } .chart { break-inside: avoid; } }
"""
