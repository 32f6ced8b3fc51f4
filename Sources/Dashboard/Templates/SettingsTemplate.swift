/// `/ui/settings` (admins only): scanning plans, network rules, exemptions, tokens.
enum SettingsTemplate {
    static let text = """
    {{> header}}
    <h1>Settings</h1>
    {{#createdToken}}<div class="notice" role="status"><p>Token <strong>{{name}}</strong> created. Its password is shown this once:</p><p class="mono" id="token-password">{{password}}</p></div>{{/createdToken}}

    <h2 id="plans">Scanning plans</h2>
    <div class="table-wrap"><table id="plan-table">
      <thead><tr><th>Subscription</th><th>Registries</th><th>Plan</th><th data-nosort>Change</th></tr></thead>
      <tbody>{{#subscriptions}}<tr><td>{{name}}</td><td>{{registries}}</td><td id="plan-{{name}}">{{plan}}</td><td>
        <form method="post" action="/ui/settings/plan"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="subscription" value="{{name}}">
        <input type="hidden" name="enabled" value="{{toggleValue}}"><button type="submit">{{toggleLabel}}</button></form></td></tr>{{/subscriptions}}</tbody>
    </table></div>

    <h2 id="network">Network rules</h2>
    <form class="stack" method="post" action="/ui/settings/network">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label>Public network access <select name="publicAccess" id="publicAccess">{{#publicAccessOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/publicAccessOptions}}</select></label>
      <label>Default action for addresses no rule names <select name="defaultAction">{{#defaultActionOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/defaultActionOptions}}</select></label>
      <label>Trusted services (the defender) may pass the rules <select name="trustedServices" id="trustedServices">{{#trustedOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/trustedOptions}}</select></label>
      <label>Anonymous pull <select name="anonymousPull">{{#anonymousOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/anonymousOptions}}</select></label>
      <div><button class="primary" type="submit" id="save-network">Save network rules</button></div>
    </form>
    <h3>Allowed address ranges</h3>
    <ul>{{#ipRules}}<li><span class="mono">{{.}}</span> <form method="post" action="/ui/settings/network/rules/remove" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="cidr" value="{{.}}"><button type="submit">Remove</button></form></li>{{/ipRules}}</ul>
    <form class="filters" method="post" action="/ui/settings/network/rules/add"><input type="hidden" name="csrf" value="{{csrf}}">
      <label>CIDR <input name="cidr" placeholder="10.0.0.0/8" required></label><button type="submit">Add range</button></form>

    <h2 id="exemptions">Exemptions</h2>
    <div class="table-wrap"><table id="exemption-table">
      <thead><tr><th>ID</th><th>Vulnerability</th><th>Package</th><th>Repository</th><th>Up to</th><th>Expires</th><th>Justification</th><th>By</th><th data-nosort>Remove</th></tr></thead>
      <tbody>{{#exemptions}}<tr><td>{{id}}</td><td>{{vulnerability}}</td><td>{{package}}</td><td>{{repository}}</td><td>{{maxSeverity}}</td><td>{{expires}}</td><td>{{justification}}</td><td>{{createdBy}}</td>
        <td><form method="post" action="/ui/settings/exemptions/remove"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><button type="submit">Remove</button></form></td></tr>{{/exemptions}}</tbody>
    </table></div>
    <form class="stack" method="post" action="/ui/settings/exemptions" id="exemption-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label>Vulnerability ID <input name="vulnerability" placeholder="CVE-2024-…"></label>
      <label>Package <input name="package"></label>
      <label>Repository pattern <input name="repository" placeholder="team/*"></label>
      <label>Up to severity <select name="maxSeverity"><option value="">any</option><option>LOW</option><option>MEDIUM</option><option>HIGH</option><option>CRITICAL</option></select></label>
      <label>Justification <input name="justification" required></label>
      <label>Expires <input type="date" name="expires"></label>
      <div><button class="primary" type="submit">Add exemption</button></div>
    </form>

    <h2 id="webhooks">Webhooks</h2>
    <div class="table-wrap"><table id="webhook-table">
      <thead><tr><th>ID</th><th>URL</th><th>Events</th><th>By</th><th data-nosort>Remove</th></tr></thead>
      <tbody>{{#webhooks}}<tr><td>{{id}}</td><td class="mono">{{url}}</td><td class="small">{{events}}</td><td>{{createdBy}}</td>
        <td><form method="post" action="/ui/settings/webhooks/remove"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><button type="submit">Remove</button></form></td></tr>{{/webhooks}}</tbody>
    </table></div>
    <form class="stack" method="post" action="/ui/settings/webhooks" id="webhook-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label>URL <input name="url" type="url" required placeholder="https://hooks.example.com/drydock"></label>
      <label>Events, comma-separated <input name="events" required value="scan.completed,scan.failed,finding.new,finding.resolved,image.unhealthy,image.healthy"></label>
      <label>Signing secret (16 characters or more; not shown again) <input name="secret" type="password" minlength="16" required autocomplete="off"></label>
      <div><button class="primary" type="submit">Add webhook</button></div>
    </form>
    {{#hasDeliveries}}
    <h3>Latest deliveries</h3>
    <div class="table-wrap"><table id="delivery-table" data-sortable>
      <thead><tr><th>ID</th><th>Webhook</th><th>Event</th><th>State</th><th>Attempts</th><th>Last answer</th><th>Created</th></tr></thead>
      <tbody>{{#deliveries}}<tr><td>{{id}}</td><td>{{webhook}}</td><td>{{event}}</td><td>{{state}}</td><td>{{attempts}}</td><td class="small">{{last}}</td><td class="small">{{created}}</td></tr>{{/deliveries}}</tbody>
    </table></div>
    {{/hasDeliveries}}

    <h2 id="tokens">Tokens</h2>
    <div class="table-wrap"><table id="token-table">
      <thead><tr><th>Name</th><th>Scopes</th><th>State</th><th>Expires</th><th data-nosort>Change</th></tr></thead>
      <tbody>{{#tokens}}<tr><td>{{name}}</td><td class="mono">{{scopes}}</td><td>{{state}}</td><td>{{expires}}</td><td>
        <form method="post" action="/ui/settings/tokens/{{action}}"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}"><button type="submit">{{actionLabel}}</button></form>
        <form method="post" action="/ui/settings/tokens/delete"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}"><button type="submit">Delete</button></form></td></tr>{{/tokens}}</tbody>
    </table></div>
    <form class="stack" method="post" action="/ui/settings/tokens">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label>Name <input name="name" required pattern="[a-z0-9][a-z0-9._-]{0,63}"></label>
      <label>Scope (repository pattern=actions) <input name="scope" required placeholder="team/*=pull,push"></label>
      <label>Expires in days <input type="number" name="days" min="1" max="36500"></label>
      <div><button class="primary" type="submit">Create token</button></div>
    </form>
    {{> footer}}
    """
}
