package forms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// attachmentFixture is a submission of the skjenkebevilling form whose
// firmaattest is its owner's upload and whose skatteattest points at
// another person's file.
func attachmentFixture(t *testing.T) (*Definition, *MemoryFileStore, *Submission, string, string) {
	t.Helper()
	ctx := context.Background()
	def, files := loadSkjenk(t), NewMemoryFileStore()
	own, err := files.Put(ctx, "person:a", "attest \"ø\".pdf", "application/pdf", strings.NewReader("%PDF-1.7 a"))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := files.Put(ctx, "person:b", "b.pdf", "application/pdf", strings.NewReader("%PDF-1.7 b"))
	if err != nil {
		t.Fatal(err)
	}
	ref := func(id string) []any {
		return []any{map[string]any{"id": id, "name": "x.pdf", "contentType": "application/pdf", "size": 10}}
	}
	sub := &Submission{ID: "s1", Owner: "person:a",
		Data: Data{"vedlegg": map[string]any{"firmaattest": ref(own), "skatteattest": ref(theirs)}}}
	return def, files, sub, own, theirs
}

func TestAttachmentsOnlyTheOwners(t *testing.T) {
	def, files, sub, own, _ := attachmentFixture(t)
	list, err := def.Attachments(context.Background(), files, sub, "en")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != own || list[0].Label == "" || list[0].Size != 10 || list[0].ContentType != "application/pdf" {
		t.Fatalf("attachments: %+v", list)
	}
}

func TestServeAttachment(t *testing.T) {
	def, files, sub, own, theirs := attachmentFixture(t)
	serve := func(id string) (*httptest.ResponseRecorder, error) {
		w := httptest.NewRecorder()
		err := def.ServeAttachment(w, httptest.NewRequest(http.MethodGet, "/", nil), files, sub, id)
		return w, err
	}
	w, err := serve(own)
	if err != nil {
		t.Fatal(err)
	}
	if w.Body.String() != "%PDF-1.7 a" || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") ||
		w.Header().Get("Content-Type") != "application/pdf" || w.Header().Get("Cache-Control") != "private, no-store" {
		t.Errorf("download: %v %q", w.Header(), w.Body)
	}
	// Another person's file, though the submission names it; a forged id;
	// an empty one: not found, and nothing written.
	for _, id := range []string{theirs, "forged", "", "../" + own} {
		w, err := serve(id)
		if !errors.Is(err, ErrFileNotFound) || w.Body.Len() != 0 || len(w.Header()) != 0 {
			t.Errorf("%q: %v, %d bytes, %v", id, err, w.Body.Len(), w.Header())
		}
	}
	// A file of the owner's that the submission does not name.
	other, _ := files.Put(context.Background(), "person:a", "other.pdf", "application/pdf", strings.NewReader("%PDF"))
	if _, err := serve(other); !errors.Is(err, ErrFileNotFound) {
		t.Errorf("a file not in the submission: %v", err)
	}
}

// The owner's key is no part of an error: only "not found".
func TestServeAttachmentErrorHasNoOwner(t *testing.T) {
	def, files, sub, _, theirs := attachmentFixture(t)
	err := def.ServeAttachment(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil), files, sub, theirs)
	if s := fmt.Sprint(err); strings.Contains(s, "person:") {
		t.Errorf("error names an owner: %s", s)
	}
}

func ExampleDefinition_ServeAttachment() {
	ctx := context.Background()
	def := MustParse([]byte(`{"id": "f", "version": 1, "title": "t",
		"texts": {"t": {"nb": "Søknad", "nn": "Søknad", "en": "Application"}, "p": {"nb": "Vedlegg", "nn": "Vedlegg", "en": "Attachments"},
			"attest": {"nb": "Firmaattest", "nn": "Firmaattest", "en": "Certificate of registration"}},
		"pages": [{"id": "p", "title": "p", "components": [{"id": "attest", "type": "file", "bind": "/attest", "label": "attest"}]}]}`))
	files := NewMemoryFileStore()
	id, _ := files.Put(ctx, "person:a", "attest.pdf", "application/pdf", strings.NewReader("%PDF-1.7"))
	sub := &Submission{ID: "s", Owner: "person:a", Data: Data{"attest": []any{map[string]any{"id": id, "name": "attest.pdf", "contentType": "application/pdf", "size": 8}}}}

	list, _ := def.Attachments(ctx, files, sub, "nb")
	fmt.Println(list[0].Label, list[0].Name)

	w := httptest.NewRecorder()
	if err := def.ServeAttachment(w, httptest.NewRequest("GET", "/", nil), files, sub, id); err != nil {
		fmt.Println(err)
	}
	b, _ := io.ReadAll(w.Result().Body)
	fmt.Println(w.Header().Get("Content-Disposition"), string(b))
	// Output:
	// Firmaattest attest.pdf
	// attachment; filename=attest.pdf %PDF-1.7
}
