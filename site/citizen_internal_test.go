package site

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/secret"
)

// stubExternals is Setup on the stub sandbox, for the service at public.
func stubExternals(t *testing.T, public string) *Externals {
	t.Helper()
	x, err := Setup(func(string) string { return "" }, Options{Public: public, OfficerPrefix: "/ansatt/auth", Sandbox: stubSandbox(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.Close)
	x.IDPorten.ClientSecret = secret.New("s3cret") // the stub has none
	return x
}

func TestCitizenLogin(t *testing.T) {
	for public, insecure := range map[string]bool{"http://127.0.0.1:8082": true, "https://torg.kommune.no": false} {
		x := stubExternals(t, public)
		m := &auth.Manager{AfterLogout: "/?loggedout=1"}
		if err := x.CitizenLogin(m); err != nil {
			t.Fatal(err)
		}
		if m.Login == nil || m.Insecure != insecure || m.Lang == nil || m.AfterLogout != "/?loggedout=1" {
			t.Errorf("%s: login %v, insecure %v, lang set %v, after logout %q", public, m.Login, m.Insecure, m.Lang != nil, m.AfterLogout)
		}
		own := func(*http.Request) i18n.Lang { return i18n.EN }
		m = &auth.Manager{Lang: own}
		if err := x.CitizenLogin(m); err != nil || m.Lang(nil) != i18n.EN {
			t.Errorf("%s: the Manager's own Lang was replaced (%v)", public, err)
		}
	}
	x := stubExternals(t, "https://torg.kommune.no")
	x.IDPorten.ClientID = ""
	if err := x.CitizenLogin(&auth.Manager{}); err == nil || !strings.HasPrefix(err.Error(), "site: ID-porten: ") {
		t.Errorf("without a client id: %v", err)
	}
}

func TestExternalsHeaders(t *testing.T) {
	x := stubExternals(t, "https://torg.kommune.no")
	h := x.Headers()
	for _, want := range []string{x.IDPorten.Issuer, x.Ansattporten.Issuer} {
		if !slices.Contains(h.FrameAncestors, want) || !slices.Contains(h.FormAction, want) {
			t.Errorf("%s missing from %+v", want, h)
		}
	}
	for _, want := range append([]string{x.Vipps.BaseURL}, VippsLandingOrigins...) {
		if !slices.Contains(h.FormAction, want) {
			t.Errorf("form-action lacks %s: %v", want, h.FormAction)
		}
	}
	if !slices.Equal(h.FramePath, []string{"/auth/frontchannel-logout", "/ansatt/auth/frontchannel-logout"}) || h.TrustProxy {
		t.Errorf("frame paths %v, trust proxy %v", h.FramePath, h.TrustProxy)
	}
	// The headers as served: the logout frame may be framed by ID-porten only.
	rec := httptest.NewRecorder()
	h.Secure(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "/auth/frontchannel-logout", nil))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors http://127.0.0.1:1") ||
		!strings.Contains(csp, "https://pay.vipps.no") {
		t.Errorf("CSP %q", csp)
	}
}

func TestCitizenOwnerNeedsALogin(t *testing.T) {
	owner := CitizenOwner(forms.OwnerKeys{Secret: secret.New(strings.Repeat("k", 32))})
	if key, err := owner(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, auth.ErrNoSession) || key != "" {
		t.Errorf("without a login: %q, %v", key, err)
	}
}

func TestWithLoginWithoutASession(t *testing.T) {
	p := (&Page{}).WithLogin(&auth.Manager{}, httptest.NewRequest("GET", "/", nil))
	if p.LoggedIn || p.Logout != "" || p.CSRF != "" {
		t.Errorf("no session, yet %+v", p)
	}
}

// TestRunProgram: the command Run makes prints its usage for -h, hands
// start the configuration, and runs the Running's jobs until it stops.
func TestRunProgram(t *testing.T) {
	var got Config
	ran := make(chan struct{})
	start := func(ctx context.Context, cfg Config) (*Running, error) {
		got = cfg
		return &Running{Handler: http.NotFoundHandler(), Jobs: []Job{{Name: "once", Every: time.Hour,
			Func: func(context.Context) error { close(ran); return nil }}}}, nil
	}
	run := program("torgplass", "127.0.0.1:0", start)
	var stdout strings.Builder
	if err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, &stdout, io.Discard); err != nil ||
		!strings.HasPrefix(stdout.String(), "Usage of torgplass:") {
		t.Fatalf("-h: %v, %q", err, stdout.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"GRUNNMUR_DATABASE_URL": "postgres://db.example/torg"}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, io.Discard, io.Discard) }()
	select {
	case <-ran:
	case err := <-done:
		t.Fatalf("stopped before the job ran: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.PublicURL, "http://127.0.0.1:") || got.DatabaseURL != env["GRUNNMUR_DATABASE_URL"] ||
		got.Getenv("GRUNNMUR_DATABASE_URL") != env["GRUNNMUR_DATABASE_URL"] || got.Logger == nil {
		t.Errorf("start got %+v", got)
	}
	failing := program("torgplass", "127.0.0.1:0", func(context.Context, Config) (*Running, error) { return nil, ErrConfig })
	if err := failing(context.Background(), nil, func(string) string { return "" }, io.Discard, io.Discard); !errors.Is(err, ErrConfig) {
		t.Errorf("a failing start: %v", err)
	}
}

// TestHandle: a handler's error becomes the error page Fail picks, and a
// handler without one answers itself.
func TestHandle(t *testing.T) {
	pages, err := Templates(fstest.MapFS{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := ErrorPages{Templates: pages, NotFound: []error{forms.ErrNotFound}}
	for _, tc := range []struct {
		err    error
		status int
	}{{nil, http.StatusTeapot}, {forms.ErrNotFound, http.StatusNotFound}, {errors.New("boom"), http.StatusInternalServerError}} {
		rec := httptest.NewRecorder()
		e.Handle(func(w http.ResponseWriter, r *http.Request) error {
			if tc.err == nil {
				w.WriteHeader(http.StatusTeapot)
			}
			return tc.err
		}).ServeHTTP(rec, httptest.NewRequest("GET", "/x?lang=en", nil))
		if rec.Code != tc.status || (tc.err != nil && !strings.Contains(rec.Body.String(), `<html lang="en">`)) {
			t.Errorf("%v: %d %.200s", tc.err, rec.Code, rec.Body.String())
		}
	}
}
