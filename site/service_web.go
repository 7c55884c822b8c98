package site

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/forms"
)

// partTexts are the texts of what a Service adds: the officers' refusal.
// A service's own Messages may word them otherwise.
var partTexts = Messages{
	// The archive (ServiceConfig.Archive, ArchiveView) on an officer's page.
	"archive.heading": {"nb": "Arkivet", "nn": "Arkivet", "en": "The archive"},
	"archive.number":  {"nb": "Saksnummer i arkivet", "nn": "Saksnummer i arkivet", "en": "Case number in the archive"},
	"archive.waiting": {"nb": "Venter på svar fra arkivet", "nn": "Ventar på svar frå arkivet", "en": "Waiting for the archive's answer"},
	"archive.refused": {"nb": "Avvist av arkivet:", "nn": "Avvist av arkivet:", "en": "Refused by the archive:"},
	"archive.off": {"nb": "Journalføring i arkivet er slått av:", "nn": "Journalføring i arkivet er slått av:",
		"en": "Journaling into the archive is off:"},
	"col.archive": {"nb": "I arkivet", "nn": "I arkivet", "en": "In the archive"},
	"officer.notlisted": {"nb": "Du er logget inn, men står ikke på listen over saksbehandlere (GRUNNMUR_OFFICERS).",
		"nn": "Du er logga inn, men står ikkje på lista over sakshandsamarar (GRUNNMUR_OFFICERS).",
		"en": "You are logged in but not on the list of case officers (GRUNNMUR_OFFICERS)."},
	"err.403": {"nb": "Ingen tilgang", "nn": "Ingen tilgang", "en": "No access"},
	// ActForPage's; org.deleted and org.may_not_act as Common words the
	// other refusals.
	"actfor.title":    {"nb": "Handle for en virksomhet", "nn": "Handle for ei verksemd", "en": "Act for an organisation"},
	"actfor.acting":   {"nb": "Du handler nå for", "nn": "Du handlar no for", "en": "You are now acting for"},
	"actfor.self":     {"nb": "Handle som privatperson", "nn": "Handle som privatperson", "en": "Act as yourself"},
	"actfor.label":    {"nb": "Organisasjonsnummer", "nn": "Organisasjonsnummer", "en": "Organisation number"},
	"actfor.hint":     {"nb": "9 siffer. Vi sjekker i Enhetsregisteret at du kan handle for virksomheten.", "nn": "9 siffer. Vi sjekkar i Einingsregisteret at du kan handle for verksemda.", "en": "9 digits. We check in the Central Coordinating Register that you can act for the organisation."},
	"actfor.continue": {"nb": "Fortsett", "nn": "Hald fram", "en": "Continue"},
	"org.deleted":     {"nb": "Virksomheten er slettet i Enhetsregisteret.", "nn": "Verksemda er sletta i Einingsregisteret.", "en": "The organisation is deleted from the Central Coordinating Register."},
	"org.may_not_act": {"nb": "Du har ikke en rolle i Enhetsregisteret som gir rett til å handle for denne virksomheten.", "nn": "Du har ikkje ei rolle i Einingsregisteret som gir rett til å handle for denne verksemda.", "en": "You hold no role in the Central Coordinating Register that lets you act for this organisation."},
	// ChannelChoice's partial, "notifychoice".
	"notify.choice.title":  {"nb": "Varsler", "nn": "Varsel", "en": "Notifications"},
	"notify.choice.legend": {"nb": "Hvordan vil du få varsler fra oss?", "nn": "Korleis vil du få varsel frå oss?", "en": "How do you want us to notify you?"},
	"notify.choice.email":  {"nb": "E-post", "nn": "E-post", "en": "E-mail"},
	"notify.choice.sms":    {"nb": "SMS", "nn": "SMS", "en": "Text message (SMS)"},
	"notify.choice.krr":    {"nb": "Vi bruker e-postadressen og mobilnummeret ditt i Kontakt- og reservasjonsregisteret (KRR). Har du reservert deg mot digital kommunikasjon, får du ingen varsler.", "nn": "Vi bruker e-postadressa og mobilnummeret ditt i Kontakt- og reservasjonsregisteret (KRR). Har du reservert deg mot digital kommunikasjon, får du ingen varsel.", "en": "We use your e-mail address and mobile number in the Common Contact Register (KRR). If you have opted out of digital communication, you get no notifications."},
	"notify.choice.save":   {"nb": "Lagre valget", "nn": "Lagre valet", "en": "Save your choice"},
	"notify.choice.saved":  {"nb": "Valget ditt er lagret.", "nn": "Valet ditt er lagra.", "en": "Your choice is saved."},
	"err.403.text":         {"nb": "Du har ikke tilgang til denne siden.", "nn": "Du har ikkje tilgang til denne sida.", "en": "You do not have access to this page."},
}

// withPartTexts is m with partTexts behind it.
func withPartTexts(m Messages) Messages {
	out := Messages{}
	for k, t := range partTexts {
		out[k] = t
	}
	for k, t := range m {
		out[k] = t
	}
	return out
}

// Page is the layout's data for r: the title in the request's language,
// the service's name, the menu (ServiceConfig.Menu) and the logout button
// with its CSRF field for a logged-in person. On the officers' pages
// (under OfficerArea) the officer's login counts first, elsewhere the
// citizen's: a browser may hold both.
func (s *Service) Page(r *http.Request, titleKey string, data any) *Page {
	p := NewPage(r, s.Messages, titleKey, data)
	logins := []*auth.Manager{s.Citizen, s.Officer}
	if strings.HasPrefix(r.URL.Path, OfficerArea+"/") || r.URL.Path == OfficerArea {
		logins[0], logins[1] = s.Officer, s.Citizen
	}
	for _, m := range logins {
		if m == nil {
			continue
		}
		if ses, err := m.Session(r); err == nil && ses.LoggedIn() {
			p.LoggedIn, p.Logout, p.CSRF = true, m.Prefix+"/logout", m.CSRFField(r)
			p.Nav = s.nav(r, p, m == s.Officer)
			break
		}
	}
	return p
}

// nav is the menu of a logged-in page, translated, the current link marked.
func (s *Service) nav(r *http.Request, p *Page, officer bool) []NavLink {
	if s.menu == nil {
		return nil
	}
	links := s.menu(r, officer)
	for i, l := range links {
		links[i].Text = p.T(l.Text)
		links[i].Current = r.URL.Path == l.Href || strings.HasPrefix(r.URL.Path, l.Href+"/")
	}
	return links
}

// Render writes the page template name with p and status; a template error
// becomes a clean 500.
func (s *Service) Render(w http.ResponseWriter, r *http.Request, name string, status int, p *Page) {
	Render(w, s.Config.Logger, s.Templates, name, status, p)
}

// ErrorPage answers with the error page for status in the request's
// language: its title is the message "err.<status>" (err.500 when there is
// none), its text "err.<status>.text".
func (s *Service) ErrorPage(w http.ResponseWriter, r *http.Request, status int) {
	key := ErrorKey(s.Messages, status)
	s.Render(w, r, "error", status, s.Page(r, key, key+".text"))
}

// NotFound answers 404 with the error page.
func (s *Service) NotFound(w http.ResponseWriter, r *http.Request) {
	s.ErrorPage(w, r, http.StatusNotFound)
}

// Fail answers err: 404 without a log line for a record that is not there
// or not the person's (ErrNotYours, the parts' not-found errors and
// ServiceConfig.NotFound), else a log line and 500.
func (s *Service) Fail(w http.ResponseWriter, r *http.Request, err error) {
	ErrorPages{Log: s.Config.Logger, Page: s.ErrorPage, NotFound: s.notFound}.Fail(w, r, err)
}

// LoginFailed is the logins' error handler: a log line and 401.
func (s *Service) LoginFailed(w http.ResponseWriter, r *http.Request, err error) {
	ErrorPages{Log: s.Config.Logger, Page: s.ErrorPage}.LoginFailed(w, r, err)
}

// Owner is the opaque key (OwnerKeys) of the person logged in as a
// citizen, which their applications, cases, bookings and payments are kept
// under; auth.ErrNoSession without a login.
func (s *Service) Owner(r *http.Request) (string, error) {
	pid, err := s.citizen(r)
	if err != nil {
		return "", err
	}
	return s.OwnerKeys.Key(forms.Owner{Person: pid})
}

// ForCitizens lets h serve only a person logged in through ID-porten at
// the substantial level (a login otherwise), and a post only with the
// session's CSRF token.
func (s *Service) ForCitizens(h http.HandlerFunc) http.Handler {
	return s.Citizen.RequireLogin(idporten.Substantial)(s.Citizen.CSRF(h))
}

// ForOfficers lets h serve only an officer on GRUNNMUR_OFFICERS logged in
// through Ansattporten (anyone else logged in there gets 403 and the
// message officer.notlisted), and a post
// only with the CSRF token. Without ServiceConfig.Officers it answers 404.
func (s *Service) ForOfficers(h http.HandlerFunc) http.Handler {
	if s.Officer == nil {
		return http.HandlerFunc(s.NotFound)
	}
	allowed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := auth.CitizenFrom(r.Context())
		if !ok || !s.Officers[c.PID.Reveal()] {
			s.Config.Logger.WarnContext(r.Context(), "not an officer")
			s.Render(w, r, "error", http.StatusForbidden, s.Page(r, "err.403", "officer.notlisted"))
			return
		}
		h(w, r)
	})
	return s.Officer.RequireLogin(idporten.Substantial)(s.Officer.CSRF(allowed))
}

// Form mounts f for logged-in citizens at f.Prefix ("/soknad"): New's
// stores (with ServiceConfig.Forms), the citizen's owner key and language,
// the CSRF field in every form and check on every post, the service's
// clock and logger, and forms.CSS at /static/forms.css, where f leaves
// them zero.
func (s *Service) Form(f *forms.Flow) {
	if f.Store == nil && s.Forms != nil {
		f.Store = s.Forms
	}
	if f.Files == nil && s.Files != nil {
		f.Files = s.Files
	}
	if f.Owner == nil {
		f.Owner = s.Owner
	}
	if f.Lang == nil {
		f.Lang = Lang
	}
	if f.Hidden == nil {
		f.Hidden = s.Citizen.CSRFField
	}
	if f.Renderer.Stylesheet == "" {
		f.Renderer.Stylesheet = "/static/forms.css"
	}
	s.fill(&f.Now, &f.Logger)
	// Limit outside CSRF: the CSRF check reads the post under the page's
	// limit, not a larger one of its own.
	h := s.Citizen.RequireLogin(idporten.Substantial)(http.StripPrefix(f.Prefix, f.Limit(s.Citizen.CSRF(f))))
	s.Mux.Handle(f.Prefix+"/", h)
}

// routes mounts what every service serves: /healthz and /readyz, the
// styles, the logins, Vipps' webhook and the not-found page.
func (s *Service) routes() {
	Health(s.Mux, s.Ready)
	s.Mux.HandleFunc("GET /static/site.css", Static("text/css; charset=utf-8", CSS()))
	s.Mux.HandleFunc("GET /static/forms.css", Static("text/css; charset=utf-8", forms.CSS()))
	s.Mux.Handle(CitizenAuth+"/", s.Citizen.Handler())
	if s.Officer != nil {
		s.Mux.Handle(OfficerAuth+"/", s.Officer.Handler())
	}
	if s.Webhook != nil {
		s.Mux.Handle("POST "+WebhookPath, s.Webhook) // signed by Vipps: no login, no CSRF
	}
	if s.Notify != nil {
		s.Mux.Handle("POST "+ChannelPath, s.ForCitizens(s.channelPost(s.choiceBack)))
	}
	s.Mux.HandleFunc("/", s.NotFound)
}

// Handler is the service's handler: Mux behind the security headers (the
// logins' and Vipps' origins allowed where they must be), the request log
// and the language cookie.
func (s *Service) Handler() http.Handler {
	x := s.Externals
	hd := Headers{
		FrameAncestors: []string{x.IDPorten.Issuer},
		FramePath:      []string{CitizenAuth + "/frontchannel-logout"},
		FormAction:     []string{x.IDPorten.Issuer},
		TrustProxy:     true,
	}
	if s.Officer != nil {
		hd.FrameAncestors = append(hd.FrameAncestors, x.Ansattporten.Issuer)
		hd.FramePath = append(hd.FramePath, OfficerAuth+"/frontchannel-logout")
		hd.FormAction = append(hd.FormAction, x.Ansattporten.Issuer)
	}
	if s.Webhook != nil {
		hd.FormAction = append(hd.FormAction, x.Vipps.BaseURL, "https://pay.vipps.no", "https://pay-mt.vipps.no")
	}
	return hd.Secure(Log(s.Config.Logger, RememberLang(s.Mux)))
}

// Ready reports whether the service can serve: the database answers.
func (s *Service) Ready(ctx context.Context) error {
	if s.DB == nil {
		return nil
	}
	return s.DB.Pool.Ping(ctx)
}

// How often RunJobs does each job.
const (
	paymentEvery = 30 * time.Second // the webhooks' safety net
	letterEvery  = 5 * time.Second  // the outbox's own waits decide when a letter goes
	notifyEvery  = 30 * time.Second // held SMS, retries and reminders
	draftEvery   = 24 * time.Hour
	sessionEvery = 5 * time.Minute
	minSideEvery = time.Second // an append to a memory outbox wakes the relay at once
	lagEvery     = time.Minute
)

// RunJobs does the background work of the parts in use until ctx ends, and
// returns when every job has stopped: payment reconciliation, the letters'
// outbox, deleting abandoned drafts (with Forms), expired sessions, and
// the one relay of the service's outbox: to NATS JetStream, with the
// consumer that feeds Min side (MinSide) from the stream, when
// GRUNNMUR_NATS_URL is set, else to Min side in process. It logs the
// relay's lag (EventsLag) at debug level every minute.
func (s *Service) RunJobs(ctx context.Context) {
	var jobs []Job
	if s.Payments != nil {
		jobs = append(jobs, Job{Name: "payments", Every: paymentEvery, Runner: s.Payments})
	}
	if s.Letters != nil {
		jobs = append(jobs, Job{Name: "letters", Every: letterEvery, Runner: s.Letters})
	}
	if s.Notify != nil {
		jobs = append(jobs, Job{Name: "notifications", Every: notifyEvery, Runner: s.Notify})
	}
	if s.Forms != nil {
		jobs = append(jobs, Job{Name: "draft expiry", Every: draftEvery,
			Runner: &forms.DraftExpiry{Store: s.Forms, Files: s.Files, MaxAge: s.draftMaxAge, Now: s.Config.Now, Logger: s.Config.Logger}})
	}
	jobs = append(jobs, Job{Name: "min side", Every: minSideEvery, Runner: s.minSideFeed},
		Job{Name: "events lag", Every: lagEvery, Func: s.minSideFeed.logLag})
	jobs = append(jobs, Job{Name: "citizen sessions", Every: sessionEvery, Runner: s.Citizen.Cleaner()})
	if s.Officer != nil {
		jobs = append(jobs, Job{Name: "officer sessions", Every: sessionEvery, Runner: s.Officer.Cleaner()})
	}
	jobs = append(jobs, s.archiveJobs()...)
	// RunJobs logs a job that stops before ctx ends; there is no one to
	// return its error to.
	_ = RunJobs(ctx, s.Config.Logger, jobs...)
}

// Close stops the sandbox and closes the database and the NATS
// connection; once, however often it
// is called.
func (s *Service) Close() {
	s.closeOnce.Do(func() {
		if s.Externals != nil {
			s.Externals.Close()
		}
		if s.DB != nil {
			s.DB.Close()
		}
		if s.nats != nil {
			s.nats.conn.Close()
		}
	})
}
