package authtest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/secret"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/badkey"
)

// TestStore runs the conformance suite. newStore must return an empty store
// for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) auth.Store) {
	t.Run("CreateGetRoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("CreateDuplicateID", func(t *testing.T) { testDuplicate(t, newStore(t)) })
	t.Run("GetUnknown", func(t *testing.T) { testUnknown(t, newStore(t)) })
	t.Run("BadBytesNotFound", func(t *testing.T) { testBadKeys(t, newStore(t)) })
	t.Run("Text", func(t *testing.T) { testText(t, newStore(t)) })
	t.Run("UpdateReplaces", func(t *testing.T) { testUpdate(t, newStore(t)) })
	t.Run("ReturnedSessionsAreCopies", func(t *testing.T) { testCopies(t, newStore(t)) })
	t.Run("TouchAndDelete", func(t *testing.T) { testTouchDelete(t, newStore(t)) })
	t.Run("DeleteBySID", func(t *testing.T) { testDeleteBySID(t, newStore(t)) })
	t.Run("DeleteExpired", func(t *testing.T) { testDeleteExpired(t, newStore(t)) })
	t.Run("ConcurrentTouchNeverResurrects", func(t *testing.T) { testConcurrentTouch(t, newStore(t)) })
	t.Run("ConcurrentCreateSameID", func(t *testing.T) { testConcurrentCreate(t, newStore(t)) })
	t.Run("SessionBoundToLogin", func(t *testing.T) { testBoundToLogin(t, newStore(t)) })
}

var t0 = time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC) // the autumn DST night, on purpose

func id() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewSession returns a logged-in session with every field set.
func NewSession(sid string, at time.Time) *auth.Session {
	return &auth.Session{
		ID: id(), Issuer: "https://test.idporten.no", ClientID: "kommune-rp", Subject: "pairwise-" + sid,
		PID: ident.MustParseFodselsnummer("20036914700"), ACR: idporten.High, AMR: []string{"BankID"},
		SID: sid, Locale: "nn", IDToken: secret.New("eyJhbGciOiJSUzI1NiJ9.e30.sig-" + sid),
		CSRF: id(), ReturnTo: "/søknad?steg=2", Created: at, LastSeen: at,
		Values: map[string]string{"acting-for": "974760673", "tema": "blå & grønn"},
	}
}

// testText: session values and the return path come back exactly as they
// were saved; a string no store can keep (not UTF-8, or holding a NUL) is
// refused with ErrInvalidText, never a driver error, and nothing changes.
func testText(t *testing.T, s auth.Store) {
	ctx := context.Background()
	for i, v := range badkey.Texts() {
		sess := NewSession(fmt.Sprint("text-", i), t0)
		sess.Values["navn"], sess.Values[v], sess.ReturnTo, sess.Locale = v, "x", "/sak?q="+v, v
		if err := s.Create(ctx, sess); err != nil {
			t.Fatalf("Create with %q: %v", v, err)
		}
		got, err := s.Get(ctx, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, got, sess)
	}
	stored := NewSession("text-stored", t0)
	if err := s.Create(ctx, stored); err != nil {
		t.Fatal(err)
	}
	for _, v := range badkey.Keys() {
		for i, set := range []func(*auth.Session){
			func(s *auth.Session) { s.Values["navn"] = v },
			func(s *auth.Session) { s.Values[v] = "x" },
			func(s *auth.Session) { s.ReturnTo = "/" + v },
			func(s *auth.Session) { s.Subject = v },
		} {
			sess := NewSession("text-bad", t0)
			set(sess)
			if err := s.Create(ctx, sess); !errors.Is(err, auth.ErrInvalidText) {
				t.Errorf("Create with %q (%d): %v, want ErrInvalidText", v, i, err)
			} else if _, err := s.Get(ctx, sess.ID); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("a refused session was stored: %v", err)
			}
			u, err := s.Get(ctx, stored.ID)
			if err != nil {
				t.Fatal(err)
			}
			set(u)
			if err := s.Update(ctx, u); !errors.Is(err, auth.ErrInvalidText) {
				t.Errorf("Update with %q (%d): %v, want ErrInvalidText", v, i, err)
			}
		}
	}
	got, err := s.Get(ctx, stored.ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, got, stored)
}

func pending(at time.Time) *auth.Session {
	return &auth.Session{
		ID: id(), Issuer: "https://test.ansattporten.no", ClientID: "kommune-ansatt", CSRF: id(), ReturnTo: "/", Replaces: id(), Created: at, LastSeen: at,
		Pending: &idporten.Pending{State: "st", Nonce: "no", CodeVerifier: secret.New("verifier-verifier"), ACR: idporten.Substantial, Created: at},
	}
}

func equal(t *testing.T, got, want *auth.Session) {
	t.Helper()
	g, w := got.Clone(), want.Clone()
	for _, s := range []*auth.Session{g, w} {
		s.Created, s.LastSeen = s.Created.UTC().Truncate(time.Microsecond), s.LastSeen.UTC().Truncate(time.Microsecond)
		if s.Pending != nil {
			s.Pending.Created = s.Pending.Created.UTC().Truncate(time.Microsecond)
		}
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("session differs:\n got  %#v\n want %#v", g, w)
	}
	if g.IDToken.Reveal() != w.IDToken.Reveal() || g.PID.Reveal() != w.PID.Reveal() {
		t.Fatal("id_token or pid not kept")
	}
	if (g.Pending == nil) != (w.Pending == nil) || (g.Pending != nil && g.Pending.CodeVerifier.Reveal() != w.Pending.CodeVerifier.Reveal()) {
		t.Fatal("pending login not kept")
	}
}

func testRoundTrip(t *testing.T, s auth.Store) {
	ctx := context.Background()
	for _, sess := range []*auth.Session{NewSession("sid-1", t0), pending(t0)} {
		if err := s.Create(ctx, sess); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, got, sess)
	}
}

func testDuplicate(t *testing.T, s auth.Store) {
	ctx := context.Background()
	a := NewSession("sid-1", t0)
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := NewSession("sid-2", t0)
	b.ID = a.ID
	if err := s.Create(ctx, b); !errors.Is(err, auth.ErrConflict) {
		t.Fatalf("duplicate create: %v, want ErrConflict", err)
	}
	got, _ := s.Get(ctx, a.ID)
	if got.SID != "sid-1" {
		t.Fatal("duplicate create overwrote the session")
	}
}

func testUnknown(t *testing.T, s auth.Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
	if err := s.Update(ctx, NewSession("x", t0)); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("Update: %v", err)
	}
	if err := s.Touch(ctx, "nope", t0); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("Touch: %v", err)
	}
	if err := s.Delete(ctx, "nope"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

// testBadKeys: a session cookie that is not UTF-8 or holds a NUL names no
// session: ErrNotFound, and the store still works.
func testBadKeys(t *testing.T, s auth.Store) {
	ctx := context.Background()
	a := NewSession("sid-1", t0)
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	for _, k := range badkey.Keys() {
		if _, err := s.Get(ctx, k); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("Get(%q): %v, want ErrNotFound", k, err)
		}
		u := NewSession("sid-2", t0)
		u.ID = k
		if err := s.Update(ctx, u); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("Update(%q): %v, want ErrNotFound", k, err)
		}
		if err := s.Touch(ctx, k, t0); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("Touch(%q): %v, want ErrNotFound", k, err)
		}
		if err := s.Delete(ctx, k); err != nil {
			t.Errorf("Delete(%q): %v", k, err)
		}
		if n, err := s.DeleteBySID(ctx, a.Issuer, k); err != nil || n != 0 {
			t.Errorf("DeleteBySID(%q): %d, %v", k, n, err)
		}
	}
	if _, err := s.Get(ctx, a.ID); err != nil {
		t.Fatalf("the store after bad keys: %v", err)
	}
}

func testUpdate(t *testing.T, s auth.Store) {
	ctx := context.Background()
	a := pending(t0)
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := NewSession("sid-9", t0.Add(time.Minute))
	b.ID = a.ID
	if err := s.Update(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, a.ID)
	equal(t, got, b)
}

func testCopies(t *testing.T, s auth.Store) {
	ctx := context.Background()
	a := NewSession("sid-1", t0)
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.AMR[0] = "changed after create"
	a.Values["acting-for"] = "changed after create"
	got, _ := s.Get(ctx, a.ID)
	got.AMR[0] = "changed after get"
	got.Values["acting-for"] = "changed after get"
	got.SID = "changed"
	again, _ := s.Get(ctx, a.ID)
	if again.AMR[0] != "BankID" || again.SID != "sid-1" || again.Values["acting-for"] != "974760673" {
		t.Fatal("the store shares memory with its callers")
	}
}

func testTouchDelete(t *testing.T, s auth.Store) {
	ctx := context.Background()
	a := NewSession("sid-1", t0)
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(17 * time.Minute)
	if err := s.Touch(ctx, a.ID, later); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, a.ID)
	if !got.LastSeen.Equal(later) || !got.Created.Equal(t0) {
		t.Fatalf("touch: last seen %v, created %v", got.LastSeen, got.Created)
	}
	if err := s.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, a.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func testDeleteBySID(t *testing.T, s auth.Store) {
	ctx := context.Background()
	a1, a2, b := NewSession("sid-a", t0), NewSession("sid-a", t0), NewSession("sid-b", t0)
	other := NewSession("sid-a", t0)
	other.Issuer = "https://test.ansattporten.no"
	for _, x := range []*auth.Session{a1, a2, b, other, pending(t0)} {
		if err := s.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteBySID(ctx, "https://test.idporten.no", "sid-a")
	if err != nil || n != 2 {
		t.Fatalf("DeleteBySID = %d, %v; want 2", n, err)
	}
	for _, x := range []*auth.Session{a1, a2} {
		if _, err := s.Get(ctx, x.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Fatal("session of the logged-out sid survived")
		}
	}
	for _, x := range []*auth.Session{b, other} {
		if _, err := s.Get(ctx, x.ID); err != nil {
			t.Fatal("DeleteBySID removed another sid's or issuer's session")
		}
	}
	if n, _ := s.DeleteBySID(ctx, "https://test.idporten.no", ""); n != 0 {
		t.Fatal("an empty sid matched pending sessions")
	}
}

func testDeleteExpired(t *testing.T, s auth.Store) {
	ctx := context.Background()
	now := t0.Add(3 * time.Hour)
	fresh := NewSession("fresh", now.Add(-10*time.Minute))
	idle := NewSession("idle", now.Add(-60*time.Minute))
	old := NewSession("old", now.Add(-130*time.Minute))
	old.LastSeen = now.Add(-time.Minute)
	for _, x := range []*auth.Session{fresh, idle, old} {
		if err := s.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpired(ctx, now.Add(-30*time.Minute), now.Add(-120*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpired = %d, %v; want 2", n, err)
	}
	if _, err := s.Get(ctx, fresh.ID); err != nil {
		t.Fatal("fresh session deleted")
	}
}

// testConcurrentTouch races touches against a delete: once Delete returns,
// the session stays gone.
func testConcurrentTouch(t *testing.T, s auth.Store) {
	ctx := context.Background()
	a := NewSession("sid-1", t0)
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 16 {
		wg.Go(func() {
			<-start
			for j := range 20 {
				err := s.Touch(ctx, a.ID, t0.Add(time.Duration(i*20+j)*time.Second))
				if err != nil && !errors.Is(err, auth.ErrNotFound) {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		<-start
		if _, err := s.DeleteBySID(ctx, a.Issuer, a.SID); err != nil {
			t.Error(err)
		}
	})
	close(start)
	wg.Wait()
	if _, err := s.Get(ctx, a.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("session came back after logout: %v", err)
	}
}

// testConcurrentCreate races creates of one id: exactly one wins.
func testConcurrentCreate(t *testing.T, s auth.Store) {
	ctx := context.Background()
	sid := id()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 16 {
		wg.Go(func() {
			x := NewSession("sid", t0)
			x.ID = sid
			err := s.Create(ctx, x)
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, auth.ErrConflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d creates of one id succeeded, want 1", wins)
	}
}

// testBoundToLogin runs three Managers on the one store, as a service runs
// its citizens' (ID-porten) and officers' (Ansattporten) logins on one
// database table, and a third on ID-porten with another client: each logs
// in through the fake ID-porten, and then each session token is placed in
// the others' cookies. No Manager accepts another's session, and the
// sessions still work where they belong.
func testBoundToLogin(t *testing.T, store auth.Store) {
	fake := idportentest.New(idportentest.Config{})
	idp := httptest.NewServer(fake)
	defer idp.Close()
	fake.SetBaseURL(idp.URL)
	mux := http.NewServeMux()
	site := httptest.NewServer(mux)
	defer site.Close()

	var logins []*boundLogin
	for _, c := range []struct {
		prefix, page, client string
		p                    idportentest.Provider
	}{
		{"/auth", "/min-side", "kommune-innbygger", idportentest.IDPorten},
		{"/ansatt/auth", "/ansatt", "kommune-ansatt", idportentest.Ansattporten},
		{"/annen/auth", "/annen", "annen-tjeneste", idportentest.IDPorten},
	} {
		fake.RegisterClient(idportentest.Client{ID: c.client, Secret: "s", RedirectURIs: []string{site.URL + c.prefix + "/callback"}})
		client, err := idporten.New(idporten.Config{Issuer: fake.Issuer(c.p), ClientID: c.client, ClientSecret: secret.New("s"), RedirectURI: site.URL + c.prefix + "/callback"})
		if err != nil {
			t.Fatal(err)
		}
		m := &auth.Manager{Login: client, Store: store, Prefix: c.prefix, CookieName: "session_" + c.client, Insecure: true}
		mux.Handle(c.prefix+"/", m.Handler())
		mux.Handle(c.page, m.RequireLogin("")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "logged in at "+r.URL.Path)
		})))
		logins = append(logins, &boundLogin{m: m, page: c.page})
	}
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	get := func(l *boundLogin, token string) (int, string) {
		req, _ := http.NewRequest("GET", site.URL+l.page, nil)
		req.AddCookie(&http.Cookie{Name: l.m.CookieName, Value: token})
		res, err := (&http.Client{CheckRedirect: noFollow}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, l := range logins {
		l.logIn(t, site.URL)
	}
	for _, from := range logins {
		for _, to := range logins {
			status, body := get(to, from.cookie)
			if from != to && status == http.StatusOK {
				t.Errorf("the session of %s opens %s: %s", from.page, to.page, body)
			}
		}
	}
	// A refused session is left alone: it still works where it belongs.
	for _, l := range logins {
		if status, body := get(l, l.cookie); status != http.StatusOK {
			t.Errorf("%s's own session, after the swaps: %d %s", l.page, status, body)
		}
	}
}

// boundLogin is one of testBoundToLogin's Managers and its page.
type boundLogin struct {
	m      *auth.Manager
	page   string
	cookie string // the session token, once logged in
}

// logIn visits the login's page with a new browser, logs in through the
// fake and keeps the session cookie.
func (l *boundLogin) logIn(t *testing.T, site string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	res, err := (&http.Client{Jar: jar}).Get(site + l.page)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != l.page {
		t.Fatalf("login at %s: %d at %s", l.page, res.StatusCode, res.Request.URL)
	}
	u, _ := url.Parse(site)
	for _, c := range jar.Cookies(u) {
		if c.Name == l.m.CookieName {
			l.cookie = c.Value
		}
	}
	if l.cookie == "" {
		t.Fatalf("no session cookie from %s", l.page)
	}
}
