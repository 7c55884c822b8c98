package forms_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/forms"
)

// A file name is the uploader's and may hold a personal number: neither
// fmt nor slog shows it.
func TestFileInfoRedactsName(t *testing.T) {
	f := forms.FileInfo{ID: "f1", Owner: "person:abc", Name: "attest 20036914700.pdf", ContentType: "application/pdf",
		Size: 42, Created: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("file", "file", f)
	for _, out := range []string{fmt.Sprint(f), fmt.Sprintf("%+v", f), fmt.Sprintf("%#v", f), fmt.Sprintf("%s", f), logged.String()} {
		if strings.Contains(out, "20036914700") || !strings.Contains(out, "f1") {
			t.Errorf("file printed as %s", out)
		}
	}
}
