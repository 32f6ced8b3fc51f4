/// `/ui/image`: one image's findings, where each package came from, why it is reported, and
/// what to do about it.
enum ImageTemplate {
    static let text = """
    {{> header}}
    <nav class="small" aria-label="Breadcrumb"><a href="/ui/repositories?registry={{registry}}">{{registry}}</a> › <a href="{{repositoryLink}}">{{repository}}</a> › <span class="mono">{{shortDigest}}</span></nav>
    <h1>{{repository}}{{#tagText}}:{{tagText}}{{/tagText}}</h1>
    <dl class="cards">
      <div class="card"><dt class="muted">Digest</dt><dd class="mono" id="digest">{{digest}}</dd></div>
      <div class="card"><dt class="muted">Scan</dt><dd id="scan-status">{{scanStatus}}</dd>{{#statusMessage}}<dd class="small">{{statusMessage}}</dd>{{/statusMessage}}{{#scannedAt}}<dd class="small muted">{{scannedAt}}</dd>{{/scannedAt}}</div>
      <div class="card"><dt class="muted">Health</dt><dd class="health-{{health}}" id="health">{{health}}</dd><dd class="small muted">threshold {{healthThreshold}}</dd></div>
      <div class="card"><dt class="muted">Open findings</dt><dd class="big" id="open-count">{{openCount}}</dd><dd class="small">{{#severities}}<span class="sev sev-{{name}}">{{name}} {{count}}</span> {{/severities}}</dd></div>
      {{#hasPlatforms}}<div class="card"><dt class="muted">Platforms</dt><dd>{{platforms}}</dd></div>{{/hasPlatforms}}
    </dl>

    {{#hasRemediations}}
    <h2>What to do</h2>
    <div class="table-wrap"><table id="remediations" data-sortable>
      <thead><tr><th>Package</th><th class="optional">Where</th><th>Action</th><th>Fixes</th><th>Highest</th></tr></thead>
      <tbody>
      {{#remediations}}<tr><td>{{package}} {{version}}</td><td class="mono optional">{{location}}</td><td><code>{{action}}</code></td><td data-value="{{fixes}}">{{fixes}} findings{{#unfixed}}, {{unfixed}} without a fix{{/unfixed}}</td><td><span class="sev sev-{{highest}}">{{highest}}</span></td></tr>{{/remediations}}
      </tbody>
    </table></div>
    {{/hasRemediations}}

    <h2 id="findings-h">Findings</h2>
    <form class="filters" method="get" action="/ui/image">
      <input type="hidden" name="repository" value="{{repository}}"><input type="hidden" name="digest" value="{{digest}}">
      {{#tagText}}<input type="hidden" name="tag" value="{{tagText}}">{{/tagText}}
      <label>State <select name="state">{{#stateOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/stateOptions}}</select></label>
      <label>Severity <select name="severity">{{#severityOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/severityOptions}}</select></label>
      <label>Package or ID <input name="q" value="{{query}}"></label>
      <button class="primary" type="submit">Apply</button>
    </form>
    <p class="muted" id="finding-count">{{findingTotal}} findings{{#pageInfo}} · page {{number}} of {{pages}}{{/pageInfo}}</p>
    <div class="table-wrap"><table id="findings" data-sortable aria-describedby="findings-h">
      <thead><tr><th>Severity</th><th>Vulnerability</th><th>Package</th><th>Installed</th><th>Fixed</th><th>State</th><th class="optional">First seen</th><th class="optional">Last seen</th><th class="optional">Layer</th><th data-nosort>Why</th></tr></thead>
      <tbody>
      {{#findings}}<tr class="finding" data-id="{{id}}">
        <td data-value="{{severityRank}}"><span class="sev sev-{{severity}}">{{severity}}</span>{{#kev}} <span class="badge" title="In CISA's Known Exploited Vulnerabilities catalog">exploited</span>{{/kev}}</td>
        <td><a href="/ui/vulnerability?id={{id}}">{{id}}</a>{{#title}}<div class="small muted">{{title}}</div>{{/title}}{{#links}} <a class="small" href="{{url}}" rel="noreferrer noopener">{{label}}</a>{{/links}}</td>
        <td>{{package}}<div class="small muted mono">{{location}}</div></td><td class="mono">{{installed}}</td><td class="mono">{{fixed}}</td>
        <td class="state-{{state}}">{{state}}{{#resolvedBy}}<div class="small">by <a class="mono" href="{{resolvedLink}}">{{resolvedShort}}</a> {{resolvedAt}}</div>{{/resolvedBy}}{{#exemption}}<div class="small">{{exemption}}</div>{{/exemption}}</td>
        <td class="optional small">{{firstSeen}}</td><td class="optional small">{{lastSeen}}</td>
        <td class="optional small">{{#layer}}{{layer}}<div class="mono muted">{{layerCommand}}</div>{{/layer}}</td>
        <td><details><summary>why</summary><div class="small">{{why}}</div><div class="small"><code>{{remediation}}</code></div></details></td>
      </tr>{{/findings}}
      </tbody>
    </table></div>
    {{> pager}}

    {{#externalScans}}
    <h2>{{scanner}} (external scanner)</h2>
    <p class="small">{{status}} {{scannedAt}}{{#message}} — {{message}}{{/message}}</p>
    {{#hasFindings}}
    <div class="table-wrap"><table class="external" data-sortable>
      <thead><tr><th>Severity</th><th>Vulnerability</th><th>Package</th><th>Installed</th><th>Fixed</th><th>Drydock too</th></tr></thead>
      <tbody>{{#findings}}<tr><td>{{severity}}</td><td><a href="/ui/vulnerability?id={{vulnerabilityID}}">{{vulnerabilityID}}</a></td><td>{{package}}</td>
        <td class="mono">{{version}}</td><td class="mono">{{fixedVersion}}</td><td>{{agreement}}</td></tr>{{/findings}}</tbody>
    </table></div>
    {{/hasFindings}}
    {{/externalScans}}

    {{#hasLayers}}
    <h2>Layers</h2>
    <div class="table-wrap"><table id="layers">
      <thead><tr><th>#</th><th>Made by</th><th class="optional">Digest</th><th class="optional">Size</th></tr></thead>
      <tbody>{{#layers}}<tr><td>{{index}}</td><td class="mono">{{createdBy}}</td><td class="mono optional">{{shortDigest}}</td><td class="optional">{{size}}</td></tr>{{/layers}}</tbody>
    </table></div>
    {{/hasLayers}}
    {{#warnings}}<p class="notice small">{{.}}</p>{{/warnings}}
    {{> footer}}
    """
}
