package postgres_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/forms/formstest"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestFileStore(t *testing.T) {
	formstest.TestFileStore(t, 1<<20, func(t *testing.T) forms.Files {
		s := postgres.NewFileStore(postgrestest.Open(t))
		s.MaxSize = 1 << 20
		return s
	})
}

// TestFileStoreDefaultLimit runs the suite at the default limit, so that a
// file of 20 MiB streams through COPY.
func TestFileStoreDefaultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("streams files of 20 MiB")
	}
	formstest.TestFileStore(t, forms.DefaultMaxFileSize, func(t *testing.T) forms.Files {
		return postgres.NewFileStore(postgrestest.Open(t))
	})
}

// TestFileStoreNames puts files named with what a browser may send: the
// name comes back as sent and never breaks the COPY row it travels in
// (FuzzCopyText fuzzes the escaping); NUL and bytes that are not UTF-8 are
// refused with forms.ErrInvalidText (formstest's NameText).
func TestFileStoreNames(t *testing.T) {
	s := postgres.NewFileStore(postgrestest.Open(t))
	ctx := context.Background()
	for _, name := range []string{"a.pdf", "tab\there.pdf", "new\nline\r\n.pdf", `back\slash\.pdf`, "\\.", "\\.\n\\.", "nul\x00.pdf",
		"\xff\xfelatin1 \xe6\xf8\xe5.pdf", "æøå ÆØÅ 🍺.pdf", "", `\x41\N`} {
		id, err := s.Put(ctx, "person:names", name, name, strings.NewReader(name))
		if !text.Valid(name) {
			if !errors.Is(err, forms.ErrInvalidText) {
				t.Errorf("Put(%q): %v, want ErrInvalidText", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Put(%q): %v", name, err)
		}
		info, rc, err := s.Open(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if info.Name != name || info.ContentType != name || string(b) != name || info.Size != int64(len(name)) {
			t.Errorf("Put(%q) came back as %q, %q, %q", name, info.Name, info.ContentType, b)
		}
	}
}
