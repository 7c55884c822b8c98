package grunnmur_test

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/site/sitetest"
)

// The Go code in the READMEs is built, and the programs are run, so that
// what a new user copies works. The convention for a ```go block:
//
//   - a complete program (package main) is built as it is and run with ADDR
//     set to a free 127.0.0.1 port: GET / (following redirects, with a cookie
//     jar, as a browser would on plain http, through the fake logins) must
//     answer 200, and SIGINT must stop it with exit status 0;
//   - a block preceded by the line "<!-- snippet: build -->" is a complete
//     file that is only built;
//   - a fragment is preceded by "<!-- snippet: fragment FILE -->": FILE (a
//     path relative to the README) is a complete Go file with a line
//     "// SNIPPET" that the fragment replaces; the result is built.
//   - a copy is preceded by "<!-- snippet: copy FILE -->": the block is
//     FILE (a path relative to the README), word for word. FILE is built
//     and tested where it lives, with the files it embeds, so the block is
//     only compared with it.
//
// Any other ```go block fails the test.

// snippet is one ```go block of a README.
type snippet struct {
	readme string // relative to the module root
	line   int    // of the opening fence
	marker string // "", "build", "fragment FILE" or "copy FILE"
	code   string
}

func (s snippet) String() string { return fmt.Sprintf("%s:%d", s.readme, s.line) }

// readmes returns every README.md of the module, outside testdata and the
// folders the go tool ignores.
func readmes(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && name == "README.md" {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const markerPrefix, markerSuffix = "<!-- snippet:", "-->"

// goSnippets returns the ```go blocks of a README's text.
func goSnippets(readme, text string) ([]snippet, error) {
	var out []snippet
	var cur *snippet
	var code strings.Builder
	prev := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &snippet{readme: readme, line: n}
			if m, ok := strings.CutPrefix(strings.TrimSpace(prev), markerPrefix); ok {
				m, ok = strings.CutSuffix(m, markerSuffix)
				if !ok {
					return nil, fmt.Errorf("%s:%d: unterminated snippet marker", readme, n-1)
				}
				cur.marker = strings.TrimSpace(m)
			}
			code.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.code = code.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			code.WriteString(line + "\n")
		}
		if strings.TrimSpace(line) != "" {
			prev = line
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s: unterminated ```go block", cur)
	}
	return out, sc.Err()
}

// source returns the Go file a snippet is built from, and whether it is a
// program to run.
func (s snippet) source() (src string, run bool, err error) {
	kind, arg, _ := strings.Cut(s.marker, " ")
	switch kind {
	case "":
		if !strings.HasPrefix(strings.TrimSpace(s.code), "package main") {
			return "", false, errors.New(`not a complete program (package main); mark a file to build only with <!-- snippet: build -->, a fragment with <!-- snippet: fragment FILE -->, or a copy of a file with <!-- snippet: copy FILE --> (see readme_test.go)`)
		}
		return s.code, true, nil
	case "build":
		return s.code, false, nil
	case "fragment":
		if arg == "" {
			return "", false, errors.New("snippet: fragment needs the wrapper FILE")
		}
		b, err := os.ReadFile(filepath.Join(filepath.Dir(s.readme), arg))
		if err != nil {
			return "", false, err
		}
		wrapper := string(b)
		if strings.Count(wrapper, "// SNIPPET\n") != 1 {
			return "", false, fmt.Errorf("%s must hold the line // SNIPPET exactly once", arg)
		}
		return strings.Replace(wrapper, "// SNIPPET\n", s.code, 1), false, nil
	}
	return "", false, fmt.Errorf("unknown snippet marker %q", s.marker)
}

// TestREADMESnippets builds every ```go block of every README.md, and runs
// the programs.
func TestREADMESnippets(t *testing.T) {
	var all []snippet
	for _, r := range readmes(t) {
		b, err := os.ReadFile(r)
		if err != nil {
			t.Fatal(err)
		}
		s, err := goSnippets(filepath.ToSlash(r), string(b))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s...)
	}
	if len(all) == 0 {
		t.Fatal("no ```go block in any README.md: the walk is broken")
	}
	for _, s := range all {
		t.Run(s.String(), func(t *testing.T) {
			if file, ok := strings.CutPrefix(s.marker, "copy "); ok {
				checkCopy(t, s, strings.TrimSpace(file))
				return
			}
			src, run, err := s.source()
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "main.go")
			if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			// Built from the module root, the file's imports resolve in this
			// module, as they would in a program inside it.
			bin := filepath.Join(dir, "snippet")
			build := exec.Command("go", "build", "-o", bin, file)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s\nthe snippet as built:\n%s", err, out, numbered(src))
			}
			if run {
				runSnippet(t, bin)
			}
		})
	}
}

// checkCopy fails t unless the snippet is the file at path (relative to
// its README), word for word.
func checkCopy(t *testing.T, s snippet, path string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(s.readme), path))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != s.code {
		t.Errorf("the block is not %s word for word: copy the file into the README again", path)
	}
}

func numbered(src string) string {
	lines := strings.Split(src, "\n")
	for i := range lines {
		lines[i] = fmt.Sprintf("%3d  %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}

// runSnippet starts a program on a free port, asks for / as a browser
// would, and stops it with SIGINT.
func runSnippet(t *testing.T, bin string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var out sitetest.Logs
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "ADDR="+addr)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// done closes when the program has exited, with its status in waitErr.
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	defer func() {
		cmd.Process.Kill() // an error only says it has already exited
		<-done
	}()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: plainHTTPJar{jar}, Timeout: 10 * time.Second}
	// Wait for the program to listen; a generous bound, as the machine
	// may be busy. This is a start-up wait, not a timed assertion.
	var status int
	var lastErr error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case <-done:
			t.Fatalf("the program stopped before it answered GET /: %v\n%s", waitErr, out.String())
		default:
		}
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			lastErr = err
			continue
		}
		resp.Body.Close()
		status = resp.StatusCode
		break
	}
	switch {
	case status == 0:
		t.Errorf("GET / got no answer within 60 s: %v\n%s", lastErr, out.String())
	case status != http.StatusOK:
		t.Errorf("GET / answered %d, want 200\n%s", status, out.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		if waitErr != nil {
			t.Errorf("after SIGINT: %v, want exit status 0\n%s", waitErr, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("the program did not stop within 30 s of SIGINT\n%s", out.String())
	}
}

// plainHTTPJar keeps cookies as a browser does on a plain-http origin that
// it does not count as secure (Safari on localhost; any browser on a LAN
// address or a container's host name): a cookie marked Secure is refused.
// Go's cookiejar, like Chrome, counts loopback as secure, which would hide
// a session cookie that only works on https.
type plainHTTPJar struct{ http.CookieJar }

func (j plainHTTPJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	if u.Scheme == "http" {
		cookies = slices.DeleteFunc(slices.Clone(cookies), func(c *http.Cookie) bool { return c.Secure })
	}
	j.CookieJar.SetCookies(u, cookies)
}

func TestSnippetConvention(t *testing.T) {
	dir := t.TempDir()
	wrapper := "package main\n\nfunc main() {\n\tx := 1\n// SNIPPET\n}\n"
	os.WriteFile(filepath.Join(dir, "wrap.go.txt"), []byte(wrapper), 0o644)
	readme := filepath.Join(dir, "README.md")
	text := "# x\n\n```go\npackage main\n\nfunc main() {}\n```\n\n<!-- snippet: build -->\n```go\npackage x\n```\n\n" +
		"<!-- snippet: fragment wrap.go.txt -->\n\n```go\n\t_ = x\n```\n\n```go\nfmt.Println(1)\n```\n\n" +
		"<!-- snippet: frobnicate -->\n```go\npackage main\n```\n"
	got, err := goSnippets(readme, text)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d snippets, want 5: %+v", len(got), got)
	}
	for i, want := range []struct {
		line   int
		marker string
		run    bool
		src    string
		err    string
	}{
		{3, "", true, "package main\n\nfunc main() {}\n", ""},
		{10, "build", false, "package x\n", ""},
		{16, "fragment wrap.go.txt", false, "package main\n\nfunc main() {\n\tx := 1\n\t_ = x\n}\n", ""},
		{20, "", false, "", "not a complete program"},
		{25, "frobnicate", false, "", "unknown snippet marker"},
	} {
		s := got[i]
		src, run, err := s.source()
		if s.line != want.line || s.marker != want.marker || run != want.run || src != want.src || (err == nil) != (want.err == "") ||
			(err != nil && !strings.Contains(err.Error(), want.err)) {
			t.Errorf("snippet %d: line %d marker %q run %v err %v\n%s\nwant line %d marker %q run %v err %q\n%s",
				i, s.line, s.marker, run, err, src, want.line, want.marker, want.run, want.err, want.src)
		}
	}
	if _, err := goSnippets(readme, "```go\npackage main\n"); err == nil {
		t.Error("an unterminated block was accepted")
	}
}
