/// The frame every page shares: skip link, navigation, who is signed in, sign-out form.
/// Pages render `{{> header}}` first and `{{> footer}}` last; both read the page's `page` value.
enum LayoutTemplates {
    static let header = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    {{#page}}<title>{{title}} · Drydock</title>{{/page}}
    <link rel="stylesheet" href="/ui/static/app.css">
    <script src="/ui/static/app.js" defer></script>
    </head>
    <body>
    <a class="skip" href="#main">Skip to content</a>
    {{#page}}
    <header class="top">
      <strong><a href="/ui/">Drydock</a></strong>
      <nav aria-label="Main">
        {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/nav}}
      </nav>
      <div class="who">
        <span>{{user}}{{#isAdmin}} (admin){{/isAdmin}}</span>
        <form method="post" action="/ui/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button class="link" type="submit">Sign out</button></form>
      </div>
    </header>
    {{/page}}
    <main id="main" tabindex="-1">
    {{#page}}{{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}{{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}{{/page}}
    """

    static let footer = """
    </main>
    </body>
    </html>
    """

    static let login = """
    <!doctype html>
    <html lang="en">
    <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Sign in · Drydock</title><link rel="stylesheet" href="/ui/static/app.css"></head>
    <body>
    <main id="main">
    <h1>Sign in to Drydock</h1>
    {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
    <form class="stack" method="post" action="/ui/login">
      <input type="hidden" name="next" value="{{next}}">
      <label>User or token name <input name="username" autocomplete="username" required autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <div><button class="primary" type="submit">Sign in</button></div>
    </form>
    <p class="muted small">Use the same name and password as for <code>docker login</code>.</p>
    </main>
    </body>
    </html>
    """

    static let error = """
    {{> header}}
    <h1>{{heading}}</h1>
    <p class="error" role="alert">{{message}}</p>
    <p><a href="/ui/">Back to the overview</a></p>
    {{> footer}}
    """
}
