/// `/ui/repositories` (a registry's repositories) and `/ui/images` (images, filtered and paged).
enum ImagesTemplates {
    static let repositories = """
    {{> header}}
    <h1>Repositories in {{registry}}</h1>
    <p class="muted">{{count}} repositories</p>
    <label class="small">Filter this page <input type="search" data-filter="repositories" hidden aria-label="Filter repositories"></label>
    <div class="table-wrap"><table id="repositories" data-sortable>
      <thead><tr><th>Repository</th><th>Images</th><th>Unhealthy</th><th>Critical</th><th>High</th><th class="optional">Medium</th><th class="optional">Low</th></tr></thead>
      <tbody>
      {{#rows}}<tr><td><a href="{{link}}">{{name}}</a></td><td>{{images}}</td><td>{{unhealthy}}</td><td>{{critical}}</td><td>{{high}}</td><td class="optional">{{medium}}</td><td class="optional">{{low}}</td></tr>{{/rows}}
      </tbody>
    </table></div>
    {{> footer}}
    """

    static let images = """
    {{> header}}
    <h1>Images</h1>
    <form class="filters" method="get" action="/ui/images" role="search">
      <label>Repository pattern <input name="repository" value="{{filter.repository}}" placeholder="team/*"></label>
      <label>Health <select name="health">{{#healthOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/healthOptions}}</select></label>
      <label>Open findings at least <select name="severity">{{#severityOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/severityOptions}}</select></label>
      <label>Scan status <select name="status">{{#statusOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statusOptions}}</select></label>
      <label>Sort <select name="sort">{{#sortOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/sortOptions}}</select></label>
      <button class="primary" type="submit">Apply</button>
    </form>
    <p class="muted" id="result-count">{{total}} images{{#pageInfo}} · page {{number}} of {{pages}}{{/pageInfo}}</p>
    <div class="table-wrap"><table id="images" data-sortable>
      <thead><tr><th>Repository</th><th>Tags</th><th class="optional">Digest</th><th>Status</th><th>Health</th><th>Critical</th><th>High</th><th class="optional">Medium</th><th class="optional">Low</th><th class="optional">Scanned</th></tr></thead>
      <tbody>
      {{#rows}}<tr>
        <td><a href="{{link}}">{{repository}}</a></td><td>{{tags}}</td><td class="mono optional">{{shortDigest}}</td>
        <td title="{{statusMessage}}">{{status}}</td><td class="health-{{health}}">{{health}}</td>
        <td>{{critical}}</td><td>{{high}}</td><td class="optional">{{medium}}</td><td class="optional">{{low}}</td><td class="optional small">{{scannedAt}}</td>
      </tr>{{/rows}}
      </tbody>
    </table></div>
    {{> pager}}
    {{> footer}}
    """

    static let pager = """
    {{#pageInfo}}<nav class="pager" aria-label="Pages">
      {{#previous}}<a href="{{previous}}" rel="prev">← Previous</a>{{/previous}}
      <span>Page {{number}} of {{pages}}</span>
      {{#next}}<a href="{{next}}" rel="next">Next →</a>{{/next}}
    </nav>{{/pageInfo}}
    """
}
