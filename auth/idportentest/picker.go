package idportentest

import (
	"html/template"
	"net/http"
)

// texts of the fake's pages, by language. se (Northern Sami) falls back to
// nb where we have no translation we trust.
var texts = map[string]map[string]string{
	"nb": {
		"title": "Testinnlogging", "lead": "Dette er en falsk ID-porten for test. Velg en testperson.",
		"users": "Testpersoner", "other": "Annen testperson", "otherpid": "Fødselsnummer eller d-nummer (11 siffer)", "level": "Sikkerhetsnivå",
		"substantial": "Betydelig (idporten-loa-substantial)", "high": "Høyt (idporten-loa-high)",
		"login": "Logg inn", "cancel": "Avbryt", "invalid": "Fødselsnummeret er ikke gyldig.",
		"choose": "Velg en testperson.", "loggedout": "Du er logget ut", "continue": "Fortsett",
		"error": "Noe gikk galt",
	},
	"nn": {
		"title": "Testinnlogging", "lead": "Dette er ein falsk ID-porten for test. Vel ein testperson.",
		"users": "Testpersonar", "other": "Annan testperson", "otherpid": "Fødselsnummer eller d-nummer (11 siffer)", "level": "Tryggleiksnivå",
		"substantial": "Betydeleg (idporten-loa-substantial)", "high": "Høgt (idporten-loa-high)",
		"login": "Logg inn", "cancel": "Avbryt", "invalid": "Fødselsnummeret er ikkje gyldig.",
		"choose": "Vel ein testperson.", "loggedout": "Du er logga ut", "continue": "Hald fram",
		"error": "Noko gjekk gale",
	},
	"en": {
		"title": "Test login", "lead": "This is a fake ID-porten for testing. Choose a test person.",
		"users": "Test persons", "other": "Another test person", "otherpid": "National identity number or D number (11 digits)", "level": "Level of assurance",
		"substantial": "Substantial (idporten-loa-substantial)", "high": "High (idporten-loa-high)",
		"login": "Log in", "cancel": "Cancel", "invalid": "The national identity number is not valid.",
		"choose": "Choose a test person.", "loggedout": "You are logged out", "continue": "Continue",
		"error": "Something went wrong",
	},
}

func lang(a *authRequest) string {
	if a != nil {
		for _, l := range a.uiLocales {
			if _, ok := texts[l]; ok {
				return l
			}
			if l == "se" {
				return "nb"
			}
		}
	}
	return "nb"
}

var pickerTmpl = template.Must(template.New("picker").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.title}} – {{.Provider}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
fieldset{margin:1rem 0}label{display:block;margin:.25rem 0}button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}
.error{color:#a00000;font-weight:bold}</style></head>
<body><main>
<h1>{{.T.title}} – {{.Provider}}</h1>
<p>{{.T.lead}}</p>
{{if .Problem}}<p class="error" role="alert" id="problem">{{.Problem}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="request" value="{{.RequestID}}">
<fieldset{{if .Problem}} aria-describedby="problem"{{end}}><legend>{{.T.users}}</legend>
{{range $i, $u := .Users}}<label><input type="radio" name="pid" value="{{$u.PID}}"{{if eq $i 0}} checked{{end}}> {{$u.Name}} ({{$u.PID}})</label>
{{end}}<label><input type="radio" name="pid" value="other"> {{.T.other}}</label>
<label for="other">{{.T.otherpid}}</label><input id="other" name="other" inputmode="numeric" autocomplete="off" pattern="[0-9]{11}"{{if .Problem}} aria-invalid="true" aria-describedby="problem"{{end}}>
</fieldset>
<fieldset><legend>{{.T.level}}</legend>
<label><input type="radio" name="acr" value="idporten-loa-substantial"{{if eq .ACR "idporten-loa-substantial"}} checked{{end}}> {{.T.substantial}}</label>
<label><input type="radio" name="acr" value="idporten-loa-high"{{if eq .ACR "idporten-loa-high"}} checked{{end}}> {{.T.high}}</label>
</fieldset>
<button type="submit">{{.T.login}}</button>
<button type="submit" name="cancel" value="1" formnovalidate>{{.T.cancel}}</button>
</form>
</main></body></html>`))

type pickerUser struct{ PID, Name string }

func (e endpointCtx) picker(w http.ResponseWriter, _ *http.Request, a *authRequest, problem string) {
	l := lang(a)
	t := texts[l]
	var users []pickerUser
	for _, u := range e.s.Users() {
		// Synthetic test numbers are shown whole: picking one is the point.
		users = append(users, pickerUser{PID: u.PID.Reveal(), Name: u.Name})
	}
	acr := a.acr
	if level(acr) == 3 {
		acr = "idporten-loa-substantial"
	} else {
		acr = "idporten-loa-high"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if problem != "" {
		status = http.StatusUnprocessableEntity
	}
	w.WriteHeader(status)
	_ = pickerTmpl.Execute(w, map[string]any{
		"Lang": l, "T": t, "Provider": e.p.String(), "Action": e.url("/authorize/login"),
		"RequestID": a.id, "Users": users, "ACR": acr, "Problem": t[problem],
	})
}

var messageTmpl = template.Must(template.New("msg").Parse(`<!DOCTYPE html>
<html lang="nb">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{if .Next}}<script>window.addEventListener("load", function () { location.replace({{.Next}}); });</script>{{end}}</head>
<body><main>
<h1>{{.Title}}</h1>
{{if .Code}}<p><code>{{.Code}}</code>: {{.Detail}}</p>{{end}}
{{range .Frames}}<iframe src="{{.}}" title="logout" hidden></iframe>
{{end}}{{if .Next}}<p><a href="{{.Next}}">{{.Continue}}</a></p>{{end}}
</main></body></html>`))

func errorPage(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = messageTmpl.Execute(w, map[string]any{"Title": texts["nb"]["error"], "Code": code, "Detail": detail})
}

func loggedOutPage(w http.ResponseWriter, frames []string, next string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = messageTmpl.Execute(w, map[string]any{"Title": texts["nb"]["loggedout"], "Frames": frames, "Next": next, "Continue": texts["nb"]["continue"]})
}
