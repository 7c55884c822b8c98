package vippstest

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
)

// The landing page stands in for Vipps' own, where a payer on a computer
// confirms the payment. It is plain, server-rendered HTML in Norwegian, with
// labelled buttons, so that browser tests (and axe-core) can drive it.
var landingPage = template.Must(template.New("landing").Parse(`<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – Vipps (testmiljø)</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; }
header { background: #ff5b24; color: #000; padding: 1rem; }
main { max-width: 32rem; margin: 2rem auto; padding: 0 1rem; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .5rem 1rem; }
dt { font-weight: bold; }
button { font-size: 1.1rem; padding: .75rem 1.5rem; margin: .5rem .5rem 0 0; border-radius: .5rem; border: 2px solid #1a1a1a; cursor: pointer; }
button.approve { background: #ff5b24; color: #000; }
button.reject { background: #fff; color: #1a1a1a; }
button:focus-visible { outline: 3px solid #0a58ca; outline-offset: 2px; }
</style>
</head>
<body>
<header><p>Vipps MobilePay – testmiljø (vippstest)</p></header>
<main>
<h1>{{.Title}}</h1>
{{if .Message}}<p role="status">{{.Message}}</p>{{end}}
{{if .Payment}}
<dl>
<dt>Beløp</dt><dd>{{.Amount}}</dd>
{{if .Description}}<dt>Gjelder</dt><dd>{{.Description}}</dd>{{end}}
<dt>Referanse</dt><dd>{{.Reference}}</dd>
</dl>
{{if .Open}}
<form method="post" action="landing">
<input type="hidden" name="token" value="{{.Token}}">
<button type="submit" name="action" value="approve" class="approve">Godkjenn betaling</button>
<button type="submit" name="action" value="reject" class="reject">Avbryt betaling</button>
</form>
{{end}}
{{end}}
</main>
</body>
</html>
`))

type landingData struct {
	Title, Message, Amount, Description, Reference, Token string
	Payment, Open                                         bool
}

func (s *Server) landing(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ref, ok := s.byToken[r.URL.Query().Get("token")]
	var d landingData
	status := http.StatusOK
	if !ok {
		d = landingData{Title: "Fant ikke betalingen", Message: "Lenken er ugyldig eller utløpt."}
		status = http.StatusNotFound
	} else {
		p := s.payments[ref]
		s.expireIfDue(p)
		d = landingData{
			Title: "Betal med Vipps", Amount: i18n.NB.Amount(money.Amount(p.Amount)), Description: p.Description,
			Reference: p.Reference, Token: p.Token, Payment: true, Open: p.State == "CREATED",
		}
		if !d.Open {
			d.Message = "Betalingen er ikke lenger åpen (" + p.State + ")."
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	landingPage.Execute(w, d)
}

func (s *Server) landingAction(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	ref, ok := s.byToken[r.PostForm.Get("token")]
	if !ok {
		s.mu.Unlock()
		http.Error(w, "Fant ikke betalingen", http.StatusNotFound)
		return
	}
	p := s.payments[ref]
	var err error
	switch r.PostForm.Get("action") {
	case "approve":
		err = s.approveLocked(p)
	case "reject":
		err = s.rejectLocked(p)
	default:
		s.mu.Unlock()
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	returnURL, state, token := p.ReturnURL, p.State, p.Token
	s.mu.Unlock()
	if err == nil && returnURL != "" {
		http.Redirect(w, r, returnURL, http.StatusSeeOther)
		return
	}
	msg := "Betalingen er godkjent."
	switch {
	case err != nil:
		msg = "Betalingen kunne ikke endres: den er " + state + "."
	case state == "ABORTED":
		msg = "Betalingen er avbrutt."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err != nil {
		w.WriteHeader(http.StatusConflict)
	}
	landingPage.Execute(w, landingData{Title: "Betal med Vipps", Message: msg, Reference: ref, Token: url.QueryEscape(token)})
}
