/// The dashboard's only static files: one stylesheet and one small script, served by the
/// server itself (`/ui/static/…`). Pages work without the script; it adds sorting by column
/// header and filtering of the rows already on the page.
enum Assets {
    static let css = """
    :root { --fg: #111; --bg: #fff; --muted: #555; --line: #ccc; --accent: #0b4f8a; }
    * { box-sizing: border-box; }
    body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
    a { color: var(--accent); }
    a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid #f59e0b; outline-offset: 1px; }
    .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px; }
    header.top { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; padding: 10px 16px; background: #0d2238; color: #fff; }
    header.top a { color: #fff; text-decoration: none; } header.top a[aria-current] { text-decoration: underline; }
    header.top nav { display: flex; flex-wrap: wrap; gap: 14px; } header.top .who { margin-left: auto; display: flex; gap: 8px; align-items: center; }
    main { padding: 12px 16px 40px; max-width: 1400px; margin: 0 auto; }
    h1 { font-size: 1.4rem; margin: 8px 0 12px; } h2 { font-size: 1.1rem; margin: 20px 0 8px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
    .card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
    .card .big { font-size: 1.8rem; font-weight: 600; }
    .muted { color: var(--muted); } .small { font-size: 0.85rem; } .mono { font-family: ui-monospace, monospace; font-size: 0.85rem; word-break: break-all; }
    table { border-collapse: collapse; width: 100%; margin: 6px 0; }
    th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: #f2f4f7; position: sticky; top: 0; }
    th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
    th[aria-sort=ascending] button::after { content: " ▲"; } th[aria-sort=descending] button::after { content: " ▼"; }
    .table-wrap { overflow-x: auto; }
    .sev { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 3px; padding: 0 4px; font-weight: 600; font-size: 0.8rem; border: 1px solid #222; }
    .sev-CRITICAL { background: #67000d; color: #fff; } .sev-HIGH { background: #c2410c; color: #fff; }
    .sev-MEDIUM { background: #e0a100; color: #111; } .sev-LOW { background: #8fb8de; color: #111; }
    .sev-NONE, .sev-UNKNOWN { background: #e5e5e5; color: #111; }
    .state-resolved { color: #1b7837; } .state-exempted { color: #6b4c9a; } .state-open { font-weight: 600; }
    .health-healthy { color: #1b7837; font-weight: 600; } .health-unhealthy { color: #b00020; font-weight: 600; }
    .badge { display: inline-block; border: 1px solid var(--line); border-radius: 10px; padding: 0 7px; font-size: 0.8rem; }
    .badge.defender { background: #e8f0fe; border-color: #0b4f8a; }
    form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin: 8px 0; }
    form.filters label, form.stack label { display: flex; flex-direction: column; font-size: 0.85rem; gap: 2px; }
    form.stack { display: grid; gap: 8px; max-width: 520px; }
    input, select, button { font: inherit; padding: 4px 6px; }
    button.primary { background: var(--accent); color: #fff; border: 1px solid var(--accent); border-radius: 4px; padding: 5px 12px; }
    button.link { background: none; border: 0; color: #fff; text-decoration: underline; cursor: pointer; }
    .pager { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
    .notice { border-left: 4px solid var(--accent); background: #eef5fb; padding: 8px 12px; margin: 8px 0; }
    .error { border-left: 4px solid #b00020; background: #fdecee; padding: 8px 12px; margin: 8px 0; }
    .chart { width: 100%; max-width: 520px; height: auto; } .chart .axis { font-size: 11px; fill: #222; } .chart .value { font-size: 11px; fill: #111; font-weight: 600; }
    .chart .small { font-size: 9px; }
    details summary { cursor: pointer; }
    .legend span { margin-right: 12px; } .swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #222; vertical-align: middle; margin-right: 4px; }
    .swatch.opened { background: #2d004b; } .swatch.resolved { background: #d9f0d3; }
    @media (max-width: 700px) {
      th.optional, td.optional { display: none; }
      header.top .who { margin-left: 0; }
      main { padding: 8px; }
    }
    @media print { header.top nav, form.filters { display: none; } }
    """

    static let javascript = """
    // Progressive: tables marked data-sortable sort by a header click (keyboard too, the headers
    // are buttons); inputs with data-filter hide the rows of their table that do not contain
    // the text. Without this script every page still works (server-side sorting and filters).
    (function () {
      function cellValue(row, index) {
        var cell = row.children[index];
        if (!cell) return '';
        return cell.getAttribute('data-value') || cell.textContent.trim();
      }
      document.querySelectorAll('table[data-sortable]').forEach(function (table) {
        var headers = table.querySelectorAll('thead th');
        headers.forEach(function (th, index) {
          if (th.hasAttribute('data-nosort')) return;
          var button = document.createElement('button');
          button.type = 'button';
          button.textContent = th.textContent;
          th.textContent = '';
          th.appendChild(button);
          button.addEventListener('click', function () {
            var ascending = th.getAttribute('aria-sort') !== 'ascending';
            headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
            th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (a, b) {
              var x = cellValue(a, index), y = cellValue(b, index);
              var nx = parseFloat(x), ny = parseFloat(y);
              var order = (!isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y) ? nx - ny : x.localeCompare(y);
              return ascending ? order : -order;
            });
            rows.forEach(function (row) { body.appendChild(row); });
          });
        });
      });
      document.querySelectorAll('input[data-filter]').forEach(function (input) {
        var table = document.getElementById(input.getAttribute('data-filter'));
        if (!table) return;
        input.hidden = false;
        input.addEventListener('input', function () {
          var needle = input.value.toLowerCase();
          Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
            row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) < 0;
          });
        });
      });
    })();
    """
}
