package archive

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Severity grades one result of a test.
type Severity string

// The severities. Only errors fail an extract.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Status is a test's outcome.
type Status string

// The statuses.
const (
	Passed Status = "passed"
	Failed Status = "failed"
	NotRun Status = "not run"
)

// maxResults caps the results kept per test, so a broken extract with a
// million bad references still gives a small report.
const maxResults = 100

// Result is one finding of a test.
type Result struct {
	Severity Severity `json:"severity"`
	Location string   `json:"location,omitempty"` // file, file:line, or a document file
	Message  string   `json:"message"`
}

// TestResult is the outcome of one Arkade test.
type TestResult struct {
	ID       string   `json:"id"` // Arkade's test id, e.g. "N5.30"
	Name     string   `json:"name"`
	Status   Status   `json:"status"`
	Errors   int      `json:"errors"`
	Warnings int      `json:"warnings"`
	Results  []Result `json:"results"`
	// Omitted counts the results left out beyond the per-test cap.
	Omitted int `json:"omitted,omitempty"`
}

// Report is what Verify found. It marshals to JSON in the spirit of Arkade's
// test report: one entry per test id with its results.
type Report struct {
	Dir      string        `json:"dir"`
	Tool     string        `json:"tool"`
	Standard string        `json:"standard"`
	Duration time.Duration `json:"durationNs"`
	Bytes    int64         `json:"bytesRead"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
	Tests    []*TestResult `json:"tests"`
}

// OK reports whether the extract passed: no test found an error.
func (r *Report) OK() bool { return r.Errors == 0 }

// Test returns the result of the test with the id ("N5.30"), or nil.
func (r *Report) Test(id string) *TestResult {
	for _, t := range r.Tests {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Failed returns the ids of the tests that found errors.
func (r *Report) Failed() []string {
	var ids []string
	for _, t := range r.Tests {
		if t.Status == Failed {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// WriteText writes the human-readable report: one line per test, then its
// results, indented. At most perTest results are shown per test (0: all kept).
func (r *Report) WriteText(w io.Writer, perTest int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Noark 5 extract %s (%s)\n\n", r.Dir, r.Standard)
	for _, t := range r.Tests {
		status := strings.ToUpper(string(t.Status))
		if t.Status == Passed {
			status = "passed"
		}
		counts := ""
		if t.Errors > 0 || t.Warnings > 0 {
			counts = fmt.Sprintf(" (%d errors, %d warnings)", t.Errors, t.Warnings)
		}
		fmt.Fprintf(&b, "%-6s %-58s %s%s\n", t.ID, t.Name, status, counts)
		shown := 0
		for _, res := range t.Results {
			if perTest > 0 && shown == perTest {
				fmt.Fprintf(&b, "         ... %d more\n", len(t.Results)-shown+t.Omitted)
				break
			}
			shown++
			loc := ""
			if res.Location != "" {
				loc = res.Location + ": "
			}
			fmt.Fprintf(&b, "       %-7s %s%s\n", res.Severity, loc, res.Message)
		}
		if (perTest == 0 || shown < perTest) && t.Omitted > 0 {
			fmt.Fprintf(&b, "         ... %d more\n", t.Omitted)
		}
	}
	verdict := "PASSED"
	if !r.OK() {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "\n%s: %d errors, %d warnings; %d tests in %s, %.1f MB read\n",
		verdict, r.Errors, r.Warnings, len(r.Tests), r.Duration.Round(time.Millisecond), float64(r.Bytes)/1e6)
	_, err := io.WriteString(w, b.String())
	return err
}
