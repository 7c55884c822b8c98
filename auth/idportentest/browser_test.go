package idportentest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/secret"
)

// TestPickerInBrowser opens the test-user picker in headless Chromium, runs
// axe-core's WCAG 2.1 A and AA rules on it, then picks a person and a level
// with the mouse and completes the login.
func TestPickerInBrowser(t *testing.T) {
	chromium, flags := testenv.Chromium(t)
	axe, err := os.ReadFile(testenv.AxeJS(t))
	if err != nil {
		t.Fatal(err)
	}

	fake := idportentest.New(idportentest.Config{Interactive: true})
	idp := httptest.NewServer(fake)
	defer idp.Close()
	fake.SetBaseURL(idp.URL)

	var (
		mu      sync.Mutex
		pending *idporten.Pending
		client  *idporten.Client
	)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		p := pending
		mu.Unlock()
		l, err := client.Callback(r.Context(), r.URL.Query(), p)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err != nil {
			fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><title>failed</title><p id="done">%s</p>`, err)
			return
		}
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><title>ok</title><p id="done">%s %s</p>`, l.IDToken.PID.Reveal(), l.IDToken.ACR)
	}))
	defer rp.Close()
	fake.RegisterClient(idportentest.Client{ID: "rp", Secret: "s", RedirectURIs: []string{rp.URL + "/cb"}})
	client, err = idporten.New(idporten.Config{Issuer: fake.Issuer(idportentest.IDPorten), ClientID: "rp", ClientSecret: secret.New("s"), RedirectURI: rp.URL + "/cb"})
	if err != nil {
		t.Fatal(err)
	}
	authURL, p, err := client.Start(context.Background(), idporten.AuthOptions{UILocales: []string{"nn"}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	pending = p
	mu.Unlock()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium))
	for _, f := range flags {
		name, value, ok := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if ok {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.CSS("form"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
		t.Fatal(err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => [String(r.passes.length)].concat(r.violations.map(v => v.id + ": " + v.help + " (" + v.nodes.length + ")")))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(violations) == 0 || violations[0] == "0" {
		t.Fatal("axe ran no rules")
	}
	for _, v := range violations[1:] {
		t.Errorf("axe: %s", v)
	}

	user := fake.Users()[3] // MaxACR substantial: pick substantial
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="pid"][value="`+user.PID.Reveal()+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name="acr"][value="idporten-loa-substantial"]`)),
		chromedp.Click(chromedp.CSS(`button[type="submit"]:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS("#done")),
	); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#done")))
	if err != nil {
		t.Fatal(err)
	}
	if want := user.PID.Reveal() + " idporten-loa-substantial"; got != want {
		t.Fatalf("after the picker: %q, want %q", got, want)
	}
}
