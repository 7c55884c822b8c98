package sitetest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/auth"
)

// Browser is an HTTP client with a cookie jar, for tests that log in
// through the sandbox's test-user picker without Chromium. It records the
// Location of every redirect it follows.
type Browser struct {
	T testing.TB
	C *http.Client
	// Base, when set, is put before every URL that starts with "/".
	Base string
	// Token is the CSRF token of the last page that had one.
	Token string
	// Locations are the Location headers of the redirects followed, in order.
	Locations []string
}

// NewBrowser returns a Browser with an empty cookie jar.
func NewBrowser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	b := &Browser{T: t}
	b.C = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		b.Locations = append(b.Locations, req.Response.Header.Get("Location"))
		return nil
	}}
	return b
}

// Do sends a request (a urlencoded form when form is not nil), follows the
// redirects and returns the last answer and its body.
func (b *Browser) Do(method, u string, form url.Values) (*http.Response, string) {
	b.T.Helper()
	return b.send(b.C, method, u, form)
}

// Post sends form with Token, as a page's form would, and follows the
// redirects.
func (b *Browser) Post(u string, form url.Values) (*http.Response, string) {
	b.T.Helper()
	if b.Token != "" {
		form.Set(auth.CSRFFieldName, b.Token)
	}
	return b.Do("POST", u, form)
}

// NoFollow is Do that returns the answer itself, a redirect included.
func (b *Browser) NoFollow(method, u string, form url.Values) (*http.Response, string) {
	b.T.Helper()
	c := &http.Client{Jar: b.C.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return b.send(c, method, u, form)
}

var csrfField = regexp.MustCompile(`name="` + auth.CSRFFieldName + `" value="([^"]+)"`)

// CSRF returns the CSRF token of the form in page.
func (b *Browser) CSRF(page string) string {
	b.T.Helper()
	return Match(b.T, csrfField.String(), page)
}

// Match returns the first group of re in body, and fails t if there is none.
func Match(t testing.TB, re, body string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in %.2000s", re, body)
	}
	return m[1]
}

func (b *Browser) send(c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	b.T.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.Base + u
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.T.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		b.T.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(out); m != nil {
		b.Token = string(m[1])
	}
	return res, string(out)
}

var (
	pickerAction  = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	pickerRequest = regexp.MustCompile(`name="request" value="([^"]+)"`)
)

// Pick answers the sandbox's test-user picker shown in picker as pid, at
// the substantial level, and follows the redirects back to the service.
func (b *Browser) Pick(picker, pid string) (*http.Response, string) {
	b.T.Helper()
	return b.pick(picker, url.Values{"pid": {pid}, "acr": {"idporten-loa-substantial"}})
}

// Cancel presses the picker's cancel button, as a citizen who gives up at
// ID-porten, and follows the redirects back to the service.
func (b *Browser) Cancel(picker string) (*http.Response, string) {
	b.T.Helper()
	return b.pick(picker, url.Values{"cancel": {"1"}})
}

func (b *Browser) pick(picker string, v url.Values) (*http.Response, string) {
	b.T.Helper()
	action, req := pickerAction.FindStringSubmatch(picker), pickerRequest.FindStringSubmatch(picker)
	if action == nil || req == nil {
		b.T.Fatalf("not the test-user picker: %.300s", picker)
	}
	v.Set("request", req[1])
	return b.Do("POST", action[1], v)
}

// Login opens page, which needs a login, and logs in as pid through the
// picker.
func (b *Browser) Login(page, pid string) (*http.Response, string) {
	b.T.Helper()
	_, picker := b.Do("GET", page, nil)
	return b.Pick(picker, pid)
}
