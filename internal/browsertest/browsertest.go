// Package browsertest runs pages in headless Chromium through chromedp and
// checks them with axe-core, for the forms accessibility tests and for
// site/sitetest's Journey, which also checks every page it records with the
// Nu Html Checker (internal/vnu). It skips (or, in CI, fails) through
// testenv when Chromium, axe-core, Java or vnu.jar is missing.
//
//	ctx := browsertest.New(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/soknad")); err != nil {
//		t.Fatal(err)
//	}
//	browsertest.Axe(t, ctx) // fails t on any WCAG 2.1 A/AA violation
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/internal/testenv"
)

// Timeout bounds each browser started by New.
const Timeout = 2 * time.Minute

// New starts a headless Chromium for t and returns a chromedp context in a
// fresh tab. The browser is closed when the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	path, flags := testenv.Chromium(t)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(1280, 1024)}
	for _, f := range flags {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if hasValue {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("browsertest: starting Chromium: %v", err)
	}
	return bctx
}

// Tags are the axe-core rule tags Axe runs: WCAG 2.0 and 2.1, levels A and AA.
var Tags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one axe-core rule that failed.
type Violation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target         []any  `json:"target"`
		HTML           string `json:"html"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// Run injects axe-core into the current page and returns the WCAG 2.1 A/AA
// violations.
func Run(ctx context.Context, axeJS string) ([]Violation, error) {
	src, err := os.ReadFile(axeJS)
	if err != nil {
		return nil, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
		return nil, fmt.Errorf("browsertest: injecting axe-core: %w", err)
	}
	tags, _ := json.Marshal(Tags)
	script := `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("browsertest: running axe-core: %w", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		return nil, fmt.Errorf("browsertest: reading axe-core results: %w", err)
	}
	return vs, nil
}

// Axe runs axe-core on the current page and fails t on any WCAG 2.1 A/AA
// violation, listing the rule, the help URL and the offending elements.
func Axe(t testing.TB, ctx context.Context) {
	t.Helper()
	vs, err := Run(ctx, testenv.AxeJS(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("    %v %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.FailureSummary, "\n", "\n      ")))
		}
		t.Errorf("axe %s (%s): %s\n  %s\n%s", v.ID, v.Impact, v.Help, v.HelpURL, strings.Join(nodes, "\n"))
	}
}

// Source returns the current document as the server sent it, not the DOM after
// scripts ran: the body of the main frame's response, which Chromium keeps
// since chromedp enables the Network domain. A main-frame navigation's request
// id is its loader id, and a redirect keeps the id, so this is also the page
// a POST answered with a redirect.
func Source(ctx context.Context) ([]byte, error) {
	return chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return nil, fmt.Errorf("browsertest: frame tree: %w", err)
		}
		if tree.FrameTree == nil || tree.FrameTree.Frame == nil {
			return nil, fmt.Errorf("browsertest: no main frame")
		}
		f := tree.FrameTree.Frame
		res, err := cdp.Call(ctx, t, network.GetResponseBody, network.GetResponseBodyParams{RequestID: network.RequestID(f.LoaderID)})
		if err != nil {
			return nil, fmt.Errorf("browsertest: response body of %s: %w", f.URL, err)
		}
		return res.Body, nil
	})
}
