package sitetest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/internal/browsertest"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/internal/testlog"
	"github.com/grunnmur/grunnmur/internal/vnu"
)

// Logs collects the service's logs safely from many goroutines: the
// service's handlers and background jobs write it while the test reads it.
// The zero value is ready to use.
type Logs struct{ l testlog.Logs }

// Write implements io.Writer.
func (s *Logs) Write(p []byte) (int, error) { return s.l.Write(p) }

// String returns everything written so far.
func (s *Logs) String() string { return s.l.String() }

// Reset empties the log, for a test that looks at what one step writes.
func (s *Logs) Reset() { s.l.Reset() }

// Journey is one browser on one service, for the examples' end-to-end
// tests: each step waits for the next page, every page is checked with
// axe-core and screenshotted, and a failure saves a screenshot and the
// page's text. The HTML of every page is saved beside its screenshot, and
// checked with the Nu Html Checker when the test ends, in one run for all the
// test's journeys.
type Journey struct {
	T    *testing.T
	Ctx  context.Context
	Base string
	Dir  string
	// Prefix names this browser's screenshots (for two browsers at once).
	Prefix string
	n      int

	html *htmlBatch
}

// htmlBatch is the pages all journeys of one test recorded: a JVM takes
// seconds to start, so vnu runs once per test.
type htmlBatch struct {
	java, jar string
	mu        sync.Mutex
	pages     []vnu.Page
	dirs      []string // where the journeys saved the pages
}

var htmlBatches sync.Map // *testing.T → *htmlBatch

// ScreenshotDir is the test's temp dir, or GRUNNMUR_E2E_SCREENSHOTS to keep
// the screenshots after the test.
func ScreenshotDir(t *testing.T) string {
	dir := os.Getenv("GRUNNMUR_E2E_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// NewJourney starts a browser for the service at base. When the test fails, the
// warnings and errors of logs are logged and the whole log saved with the
// screenshots.
func NewJourney(t *testing.T, base, dir string, logs *Logs) *Journey {
	j := &Journey{T: t, Ctx: browsertest.New(t), Base: base, Dir: dir}
	java, jar := testenv.Vnu(t)
	b, shared := htmlBatches.LoadOrStore(t, &htmlBatch{java: java, jar: jar})
	j.html = b.(*htmlBatch)
	j.html.mu.Lock()
	if !slices.Contains(j.html.dirs, dir) {
		j.html.dirs = append(j.html.dirs, dir)
	}
	j.html.mu.Unlock()
	t.Cleanup(func() {
		if t.Failed() && logs != nil {
			os.WriteFile(filepath.Join(j.Dir, "service.log"), []byte(logs.String()), 0o644)
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
					t.Log(line)
				}
			}
			t.Logf("screenshots in %s (set GRUNNMUR_E2E_SCREENSHOTS to keep them)", j.Dir)
		}
	})
	if !shared {
		// Registered after the cleanup above, so it runs first and that one
		// sees its errors.
		t.Cleanup(func() {
			htmlBatches.Delete(t)
			j.html.check(t)
		})
	}
	return j
}

// check runs the Nu Html Checker once on every page and fails t on each error.
func (b *htmlBatch) check(t *testing.T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ms, err := vnu.Check(context.Background(), b.java, b.jar, b.pages)
	if err != nil {
		t.Error(err)
		return
	}
	for _, m := range ms {
		t.Errorf("vnu %s", m)
	}
	if len(ms) > 0 {
		t.Logf("the pages' HTML is in %s", strings.Join(b.dirs, ", "))
	}
}

// Shot saves a screenshot.
func (j *Journey) Shot(name string) {
	j.n++ // also on error: Page names the page's HTML by it
	buf, err := chromedp.Run(j.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		j.T.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(j.Dir, fmt.Sprintf("%s%02d-%s.png", j.Prefix, j.n, name)), buf, 0o644)
}

// Do runs actions; on failure it saves a screenshot and the page's text and
// stops the test.
func (j *Journey) Do(step string, actions ...chromedp.Action[chromedp.Void]) {
	j.T.Helper()
	ctx, cancel := context.WithTimeout(j.Ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		j.Failed(step, err)
	}
}

// Failed stops the test with the page's screenshot, address and text.
func (j *Journey) Failed(step string, err error) {
	j.T.Helper()
	j.Shot("FAILED-" + step)
	loc, _ := chromedp.Run(j.Ctx, chromedp.Location())
	text, _ := chromedp.Run(j.Ctx, chromedp.Text(chromedp.CSS("body")))
	j.T.Fatalf("%s: %v\nat %s\n%s\nscreenshots in %s", step, err, loc, text, j.Dir)
}

// Get runs one action that returns a value.
func Get[T any](j *Journey, step string, a chromedp.Action[T]) T {
	j.T.Helper()
	ctx, cancel := context.WithTimeout(j.Ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		j.Failed(step, err)
	}
	return v
}

// Page checks the page it is on with axe-core, saves a screenshot and its
// HTML, and keeps the HTML for the Nu Html Checker.
func (j *Journey) Page(name string) {
	j.T.Helper()
	j.Shot(name)
	src, err := browsertest.Source(j.Ctx)
	if err != nil {
		j.Failed(name, err)
	}
	file := fmt.Sprintf("%s%02d-%s.html", j.Prefix, j.n, name)
	os.WriteFile(filepath.Join(j.Dir, file), src, 0o644)
	j.html.mu.Lock()
	j.html.pages = append(j.html.pages, vnu.Page{Name: file, HTML: src})
	j.html.mu.Unlock()
	browsertest.Axe(j.T, j.Ctx)
	if j.T.Failed() {
		j.T.Fatalf("axe on %s (screenshots in %s)", name, j.Dir)
	}
}

// Click clicks sel and waits for the next page to load.
func Click[S chromedp.Selectable](j *Journey, step string, sel S) {
	j.T.Helper()
	j.Stale(step)
	j.Do(step, chromedp.Click(sel, chromedp.NodeVisible))
	j.WaitLoad(step)
}

// Stale marks the document, for WaitLoad to see it replaced.
func (j *Journey) Stale(step string) {
	j.T.Helper()
	Get(j, step, chromedp.Evaluate[bool](`window.__stale = true`))
}

// WaitLoad waits until a new document has replaced the one marked stale and
// has loaded; evaluations fail while the navigation swaps the documents.
func (j *Journey) WaitLoad(step string) {
	j.T.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(j.Ctx, chromedp.Evaluate[bool](`!window.__stale && document.readyState === "complete"`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			j.Failed(step+": waiting for the next page", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Click clicks the element of a CSS selector and waits for the next page.
func (j *Journey) Click(step, css string) {
	j.T.Helper()
	Click(j, step, chromedp.CSS(css))
}

// Open navigates to path.
func (j *Journey) Open(step, path string) {
	j.T.Helper()
	j.Do(step, chromedp.Navigate(j.Base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// Fill sets form fields by name, as a person types and clicks: text values,
// the chosen option of a select, the checked boxes of radios and checkboxes.
func (j *Journey) Fill(step string, values map[string][]string) {
	j.T.Helper()
	b, _ := json.Marshal(values)
	missing := Get(j, step, chromedp.Evaluate[[]string](`(() => { const v = `+string(b)+`; const missing = [];
for (const [name, vals] of Object.entries(v)) {
  const els = document.getElementsByName(name);
  if (!els.length) { missing.push(name); continue; }
  for (const el of els) {
    if (el.type === "radio" || el.type === "checkbox") el.checked = vals.includes(el.value);
    else el.value = vals[0];
  }
}
return missing; })()`))
	if len(missing) > 0 {
		j.T.Fatalf("%s: no fields %v", step, missing)
	}
}

// Path is the current page's path.
func (j *Journey) Path() string {
	return Get(j, "location", chromedp.Evaluate[string](`location.pathname`))
}

// Text is the visible text of sel.
func (j *Journey) Text(sel string) string {
	return Get(j, "text "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// Login picks a test person on the fake ID-porten's or Ansattporten's page.
func (j *Journey) Login(name string) {
	j.T.Helper()
	j.Do("picker", chromedp.WaitVisible(chromedp.CSS(`input[name="pid"]`)))
	j.Page("login-picker")
	j.Do("pick "+name, chromedp.Click(`//label[contains(., "`+name+`")]/input`))
	Click(j, "log in", `//button[@type="submit" and not(@name)]`)
}

// Logout posts the header's logout button and follows the provider's
// logout page back to the service.
func (j *Journey) Logout(action string) {
	j.T.Helper()
	j.Click("logout", `form[action="`+action+`"] button`)
	for range 3 {
		loggedOut := Get(j, "after logout", chromedp.Evaluate[bool](`location.search.includes("loggedout")`))
		if loggedOut {
			j.Page("logged-out")
			return
		}
		j.Page("provider-logout")
		j.Click("continue after logout", `a`)
	}
	j.T.Fatalf("logout did not come back: %s", j.Path())
}

// Fetch gets path with the browser's cookies.
func (j *Journey) Fetch(path string) (int, []byte) {
	j.T.Helper()
	type result struct {
		Status int
		Body   string
	}
	res := Get(j, "fetch "+path, chromedp.Evaluate[result](`fetch(`+fmt.Sprintf("%q", path)+`, {credentials: "same-origin"}).then(async r => {
  const b = new Uint8Array(await r.arrayBuffer()); let s = ""; for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
  return {Status: r.status, Body: btoa(s)}; })`, chromedp.EvalAwaitPromise))
	b, err := base64.StdEncoding.DecodeString(res.Body)
	if err != nil {
		j.T.Fatal(err)
	}
	return res.Status, b
}

// Started is a service StartService runs.
type Started struct {
	Handler http.Handler
	Run     func(ctx context.Context) // background work; nil means none
	Close   func()                    // nil means nothing to close
}

// StartService runs a service in process on a free loopback port, as `go
// run` does: start builds it for its public URL, logging (at debug level)
// into the returned Logs. It stops when the test ends.
func StartService(t *testing.T, start func(ctx context.Context, public string, log *slog.Logger) (*Started, error)) (string, *Logs) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	logs := &Logs{}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := start(ctx, public, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		cancel()
		ln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler}
	go srv.Serve(ln)
	if s.Run != nil {
		go s.Run(ctx)
	}
	t.Cleanup(func() {
		cancel()
		srv.Close()
		if s.Close != nil {
			s.Close()
		}
	})
	return public, logs
}
