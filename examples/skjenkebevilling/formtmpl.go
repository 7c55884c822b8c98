package main

// formOverrides replace the forms package's header (with the site's menu and
// language switch, in the page's language) and its receipt (with the way on
// to the payment). They run inside the forms templates, so they use only
// what PageView and SummaryView hold.
const formOverrides = `{{define "head"}}<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="/static/forms.css">
<link rel="stylesheet" href="/static/site.css">{{end}}
{{define "header"}}<header class="ds-header">
<p class="ds-header__title"><a class="ds-link" href="/">{{if eq .Lang "nn"}}Skjenkeløyve{{else if eq .Lang "en"}}Liquor licence{{else}}Skjenkebevilling{{end}}</a></p>
<nav class="ds-header__nav" aria-label="{{if eq .Lang "en"}}Main menu{{else if eq .Lang "nn"}}Hovudmeny{{else}}Hovedmeny{{end}}">
<ul class="ds-list--inline">
<li><a class="ds-link" href="/min-side">{{if eq .Lang "nn"}}Mi side{{else if eq .Lang "en"}}My page{{else}}Min side{{end}}</a></li>
{{if .Hidden}}<li><form method="post" action="/auth/logout" class="ds-inline-form">{{.Hidden}}<button class="ds-button ds-button--tertiary" type="submit">{{if eq .Lang "en"}}Log out{{else}}Logg ut{{end}}</button></form></li>
{{end}}</ul>
</nav>
<nav class="ds-lang" aria-label="{{if eq .Lang "en"}}Language{{else}}Språk{{end}}">
<ul class="ds-list--inline">
<li>{{if eq .Lang "nb"}}<span aria-current="true">Bokmål</span>{{else}}<a class="ds-link" href="?lang=nb" hreflang="nb" lang="nb">Bokmål</a>{{end}}</li>
<li>{{if eq .Lang "nn"}}<span aria-current="true">Nynorsk</span>{{else}}<a class="ds-link" href="?lang=nn" hreflang="nn" lang="nn">Nynorsk</a>{{end}}</li>
<li>{{if eq .Lang "en"}}<span aria-current="true">English</span>{{else}}<a class="ds-link" href="?lang=en" hreflang="en" lang="en">English</a>{{end}}</li>
</ul>
</nav>
</header>{{end}}
{{define "receipt"}}<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
{{template "head" .}}
</head>
<body>
<a class="ds-skip-link" href="#main">{{msg "skipToContent" .Lang}}</a>
{{template "header" .}}
<main id="main" class="ds-main">
<div class="ds-alert ds-alert--success" role="status">
<h1 class="ds-heading ds-heading--lg">{{msg "received" .Lang}}</h1>
<p class="ds-paragraph">{{msg "reference" .Lang}}: <strong>{{.Reference}}</strong></p>
<p class="ds-paragraph">{{msg "submittedAt" .Lang}}: {{.SubmittedAt}}</p>
</div>
<p class="ds-paragraph"><a class="ds-button ds-button--primary" id="to-payment" href="/kvittering/{{.Reference}}">{{if eq .Lang "nn"}}Gå vidare til betaling{{else if eq .Lang "en"}}Go on to payment{{else}}Gå videre til betaling{{end}}</a></p>
{{range .Sections}}<h2 class="ds-heading ds-heading--md">{{.Title}}</h2>
<dl class="ds-summary-list">
{{template "summary-rows" .Rows}}</dl>
{{end}}<p class="ds-paragraph ds-checksum">{{msg "checksum" .Lang}}: <code>{{.Digest}}</code></p>
</main>
</body>
</html>
{{end}}`
