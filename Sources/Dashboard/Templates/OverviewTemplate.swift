/// `/ui/`: is anything critical, is scanning keeping up, how old is the database.
enum OverviewTemplate {
    static let text = """
    {{> header}}
    <h1>Security overview</h1>
    <p class="muted">{{scope}} · health threshold {{threshold}}</p>
    <section class="cards" aria-label="Images by health">
      <div class="card"><div class="muted">Images</div><div class="big"><a href="/ui/images" id="images-total">{{images.total}}</a></div></div>
      <div class="card"><div class="muted">Unhealthy</div><div class="big health-unhealthy"><a href="/ui/images?health=unhealthy" id="images-unhealthy">{{images.unhealthy}}</a></div></div>
      <div class="card"><div class="muted">Healthy</div><div class="big health-healthy"><a href="/ui/images?health=healthy" id="images-healthy">{{images.healthy}}</a></div></div>
      <div class="card"><div class="muted">Not known yet</div><div class="big"><a href="/ui/images?health=unknown" id="images-unknown">{{images.unknown}}</a></div></div>
    </section>

    <div class="cards">
    <section class="card" aria-labelledby="sev-h">
      <h2 id="sev-h">Open findings by severity</h2>
      {{{severityChart}}}
      <ul class="small">
      {{#severities}}<li><a href="/ui/images?severity={{name}}" data-severity="{{name}}"><span class="sev sev-{{name}}">{{name}}</span></a> <span class="count" id="open-{{name}}">{{count}}</span> in {{images}} images</li>{{/severities}}
      </ul>
    </section>
    <section class="card" aria-labelledby="trend-h">
      <h2 id="trend-h">Last 30 days</h2>
      {{{trendChart}}}
      <p class="legend small"><span><span class="swatch opened"></span>opened {{opened30}}</span><span><span class="swatch resolved"></span>resolved {{resolved30}}</span></p>
    </section>
    </div>

    <h2>Scan activity</h2>
    <p><span id="queue-queued">{{queue.queued}}</span> queued · <span id="queue-running">{{queue.running}}</span> running ·
       <span id="queue-blocked">{{queue.waitingOnNetworkRules}}</span> waiting on network rules · <span id="failed-count">{{failedCount}}</span> failed</p>
    {{#hasProblems}}
    <div class="table-wrap"><table id="problems">
      <caption class="muted small">Scans that did not complete, with their reason</caption>
      <thead><tr><th>Repository</th><th>Digest</th><th>Status</th><th>Reason</th></tr></thead>
      <tbody>
      {{#problems}}<tr><td><a href="{{imageLink}}">{{repository}}</a></td><td class="mono">{{shortDigest}}</td><td>{{status}}</td><td>{{reason}}</td></tr>{{/problems}}
      </tbody>
    </table></div>
    {{/hasProblems}}

    <h2>Vulnerability database</h2>
    {{#database.loaded}}<p>Built <span id="db-built">{{database.builtAt}}</span> ({{databaseAge}} old) · {{database.vulnerabilities}} vulnerabilities · sources: {{databaseSources}}</p>{{/database.loaded}}
    {{^database.loaded}}<p class="error">{{database.error}}</p>{{/database.loaded}}

    <h2>Subscriptions and registries</h2>
    <div class="table-wrap"><table id="registries">
      <thead><tr><th>Subscription</th><th>Plan</th><th>Registry</th><th>Images</th><th>Unhealthy</th></tr></thead>
      <tbody>
      {{#registries}}<tr><td>{{subscription}}</td><td>{{plan}}</td><td><a href="/ui/repositories?registry={{name}}">{{name}}</a></td><td>{{images}}</td><td>{{unhealthy}}</td></tr>{{/registries}}
      </tbody>
    </table></div>

    {{#usage}}
    <h2>Usage this period ({{period}})</h2>
    <div class="table-wrap"><table id="usage">
      <thead><tr><th>Subscription</th><th>Images scanned</th><th>Charge</th></tr></thead>
      <tbody>{{#rows}}<tr><td>{{name}}</td><td>{{imagesScanned}}</td><td>{{charge}}</td></tr>{{/rows}}</tbody>
    </table></div>
    {{/usage}}
    {{> footer}}
    """
}
