/// `/ui/logs`: RegistryLoginEvents and RegistryRepositoryEvents with filters.
enum LogsTemplate {
    static let text = """
    {{> header}}
    <h1>Resource logs</h1>
    <form class="filters" method="get" action="/ui/logs" role="search">
      <label>Table <select name="table">{{#tableOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tableOptions}}</select></label>
      <label>Identity <input name="identity" value="{{filter.identity}}" list="identities"></label>
      <datalist id="identities"><option value="defender"><option value="admin"></datalist>
      <label>Operation <input name="operation" value="{{filter.operation}}" placeholder="Pull, Push, Login…"></label>
      <label>Result <select name="result">{{#resultOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/resultOptions}}</select></label>
      <label>Repository <input name="repository" value="{{filter.repository}}"></label>
      <label>From (UTC) <input type="datetime-local" name="since" value="{{filter.since}}"></label>
      <label>To (UTC) <input type="datetime-local" name="until" value="{{filter.until}}"></label>
      <button class="primary" type="submit">Apply</button>
      <a href="{{defenderLink}}">Only the defender</a>
    </form>
    <p class="muted" id="log-count">{{count}} rows{{#limited}} (newest {{count}}; narrow the filters for older ones){{/limited}}</p>
    <div class="table-wrap"><table id="logs" data-sortable>
      <thead><tr><th>Time (UTC)</th><th>Identity</th><th>Operation</th><th>Repository</th><th class="optional">Tag / digest</th><th>Result</th><th class="optional">Caller</th></tr></thead>
      <tbody>
      {{#rows}}<tr{{#defender}} class="by-defender"{{/defender}}><td class="small">{{time}}</td><td>{{identity}} {{#defender}}<span class="badge defender">defender</span>{{/defender}}<div class="small muted">{{identityType}}</div></td>
        <td>{{operation}}</td><td>{{repository}}</td><td class="mono optional">{{reference}}</td><td>{{result}} <span class="small muted">{{description}}</span></td><td class="optional small">{{caller}}</td></tr>{{/rows}}
      </tbody>
    </table></div>
    {{> footer}}
    """
}
