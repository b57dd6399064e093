// The report's stylesheet, inlined into report.html (no external resource).
export const REPORT_CSS = `
:root{--fg:#1a202c;--muted:#718096;--line:#e2e8f0;--pass:#2f855a;--breach:#c53030;--bg:#fff}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:12px 0 4px}
.muted{color:var(--muted)}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f7fafc;border:1px solid var(--line);padding:10px;overflow:auto;max-height:480px}
.headline{border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:6px;padding:12px 18px;margin:14px 0}
.headline.breach{border-left-color:var(--pass)}.headline.generator-limited,.headline.error,.headline.target-unreachable,.headline.interrupted{border-left-color:var(--breach)}
.cp .value{font-size:40px;font-weight:700}.cp .unit{font-size:20px;color:var(--muted)}.cp.none .value{font-size:28px}
.verdict{font-size:15px;margin:4px 0 10px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.tag{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;background:#edf2f7}
.tag.pass{background:#c6f6d5;color:#22543d}.tag.breach{background:#fed7d7;color:#822727}.tag.generator-limited,.tag.aborted,.tag.other{background:#feebc8;color:#7b341e}.tag.cp{background:#2f855a;color:#fff}
.warnings{background:#fffaf0;border:1px solid #fbd38d;border-radius:6px;padding:4px 16px}
div.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:right;white-space:nowrap}th{background:#f7fafc;white-space:normal;vertical-align:bottom;font-weight:600;font-size:12px}
th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}#baseline td:first-child,#samplers td:first-child{text-align:left}
.chart-box{margin:18px 0;padding:0}.chart-box h3{margin:0}.caption{color:var(--muted);margin:2px 0 0;font-size:12px}
.note{margin:6px 0 0;padding:6px 10px;border-left:3px solid #1a202c;background:#f7fafc;font-size:13px}sup.flag{color:var(--breach)}
svg.chart{width:100%;height:auto;display:block;font-size:11px}
svg .grid{stroke:#edf2f7}svg .frame{fill:none;stroke:#cbd5e0}svg .tick{fill:#4a5568}svg .axis-label{fill:#2d3748;font-size:12px}
svg .series{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}svg .rule{stroke-width:1.5}svg .rule-label,svg .vrule-label{font-size:11px}
svg .empty{fill:var(--breach);font-size:16px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin:4px 0}.legend .key{display:inline-flex;align-items:center;gap:5px}
.legend i{display:inline-block;width:16px;height:3px}.legend i.band{height:10px;border:1px solid #cbd5e0}.legend i.dashed{height:0;border-top:3px dashed}
ul.files li,ul.breaches li{margin:2px 0}
footer{margin-top:32px;font-size:12px}
`;
