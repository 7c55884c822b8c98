// Package vnu checks HTML with the W3C Nu Html Checker (vnu.jar, run with the
// machine's Java), for the tests that require every page to be valid HTML.
//
// A JVM takes seconds to start, so pages are checked in batches: collect the
// pages a test renders or visits, then check them all in one run.
//
//	var pages []vnu.Page
//	pages = append(pages, vnu.Page{Name: "start", HTML: body})
//	...
//	vnu.Require(t, pages) // fails t on every error, with page, line and message
package vnu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/internal/testenv"
)

// Timeout bounds one run of the checker.
const Timeout = 5 * time.Minute

// Page is one HTML document as the server sent it.
type Page struct {
	Name string
	HTML []byte
}

// Message is one error the checker reported.
type Message struct {
	Page    string // the Page's Name; empty for an error about the run itself
	Line    int    // 1-based; 0 when the checker gives none
	Column  int
	Text    string
	Extract string // the source around the error
}

func (m Message) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s", m.Page, m.Line, m.Column, m.Text)
	if m.Extract != "" {
		fmt.Fprintf(&b, "\n\t%s", strings.ReplaceAll(m.Extract, "\n", "↵"))
	}
	return b.String()
}

// Check runs vnu.jar once on all pages and returns their errors (warnings and
// informational messages are left out). The error is for a run that could
// not check the pages at all.
func Check(ctx context.Context, java, jar string, pages []Page) ([]Message, error) {
	if len(pages) == 0 {
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "vnu-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	byFile := map[string]string{}
	args := []string{"-jar", jar, "--format", "json", "--errors-only", "--stdout"}
	for i, p := range pages {
		// Numbered, since journeys may visit a page of the same name twice.
		f := filepath.Join(dir, fmt.Sprintf("%03d.html", i))
		if err := os.WriteFile(f, p.HTML, 0o644); err != nil {
			return nil, err
		}
		byFile[filepath.Base(f)] = p.Name
		args = append(args, f)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, java, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var out struct {
		Messages []struct {
			Type        string `json:"type"`
			SubType     string `json:"subType"`
			URL         string `json:"url"`
			LastLine    int    `json:"lastLine"`
			FirstLine   int    `json:"firstLine"`
			FirstColumn int    `json:"firstColumn"`
			Message     string `json:"message"`
			Extract     string `json:"extract"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		// vnu exits 1 when it found errors; anything without a report is a failed run.
		return nil, fmt.Errorf("vnu: no report from %s (%v, %v): %s", jar, runErr, err, strings.TrimSpace(stderr.String()))
	}
	var ms []Message
	for _, m := range out.Messages {
		// "non-document-error" is vnu failing to read a file: report it too.
		if m.Type != "error" && m.Type != "non-document-error" {
			continue
		}
		line := m.FirstLine
		if line == 0 {
			line = m.LastLine
		}
		ms = append(ms, Message{
			Page:    byFile[filepath.Base(strings.TrimPrefix(m.URL, "file:"))],
			Line:    line,
			Column:  m.FirstColumn,
			Text:    m.Message,
			Extract: m.Extract,
		})
	}
	if len(ms) == 0 && runErr != nil {
		var exit *exec.ExitError
		if !errors.As(runErr, &exit) {
			return nil, fmt.Errorf("vnu: %w", runErr)
		}
		return nil, fmt.Errorf("vnu: exit %d with no errors reported: %s", exit.ExitCode(), strings.TrimSpace(stderr.String()))
	}
	return ms, nil
}

// Require checks pages in one run and fails t on each error, naming the page,
// the line and the message. It skips t (or fails it, when peers are required)
// if Java or vnu.jar is missing.
func Require(t testing.TB, pages []Page) {
	t.Helper()
	java, jar := testenv.Vnu(t)
	ms, err := Check(context.Background(), java, jar, pages)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		t.Errorf("vnu %s", m)
	}
}
