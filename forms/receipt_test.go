package forms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/testenv"
)

func submitted(t *testing.T, def *Definition, file string) *Submission {
	t.Helper()
	store := NewMemoryStore()
	now := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC) // the 25-hour day
	d := def.NewDraft("person:test", now)
	d.Data = loadData(t, file)
	if err := store.CreateDraft(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	sub, res, err := def.Submit(context.Background(), store, d, "nb", now)
	if err != nil || !res.Valid() {
		t.Fatal(err, res.Errors)
	}
	sub.ID = "01jv0s8k3q9x7m2n5p4r6t8w0y" // fixed for the golden files
	return sub
}

func TestReceipt(t *testing.T) {
	def := loadSkjenk(t)
	sub := submitted(t, def, "skjenkebevilling-hidden.json")
	js, err := def.ReceiptJSON(sub)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "receipt-skjenkebevilling.json", js)
	// Canonical: decoding and encoding again gives the same bytes.
	var x any
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := canonical(&b, x, 0); err != nil || b.String() != string(js) {
		t.Errorf("receipt JSON is not canonical:\n%s\n%s", js, b.String())
	}
	for _, gone := range []string{"Skal bort", "skjult", "fraDato", "ekstra"} {
		if bytes.Contains(js, []byte(gone)) {
			t.Errorf("receipt holds hidden data %q", gone)
		}
	}
	// A submission stored with hidden data (by other code) is pruned too.
	sub.Data["soker"].(map[string]any)["fakturaadresse"] = map[string]any{"adresse": "Skal bort"}
	js2, _ := def.ReceiptJSON(sub)
	if !bytes.Equal(js, js2) {
		t.Error("hidden data reached the receipt")
	}
	if got := ReceiptDigest(js); len(got) != 64 {
		t.Error(got)
	}
	for _, lang := range i18n.All {
		var page bytes.Buffer
		if err := testRenderer.RenderReceipt(&page, def, sub, lang); err != nil {
			t.Fatal(err)
		}
		golden(t, "receipt-skjenkebevilling-"+string(lang)+".html", page.Bytes())
		if !strings.Contains(page.String(), ReceiptDigest(js)) {
			t.Error("receipt page lacks the digest")
		}
	}
	sub.FormID = "other"
	if _, err := def.ReceiptJSON(sub); !errors.Is(err, ErrWrongForm) {
		t.Error(err)
	}
}

func TestCheckDraftVersions(t *testing.T) {
	def := MustParse([]byte(`{"id":"f","version":3,"minDraftVersion":2,"title":"t","texts":{"t":{"nb":"T","nn":"T","en":"T"}},
		"pages":[{"id":"p","title":"t","components":[{"id":"a","type":"text","bind":"/a","label":"t"}]}]}`))
	for v, want := range map[int]error{1: ErrDraftVersion, 2: nil, 3: nil, 4: ErrDraftVersion} {
		err := def.CheckDraft(&Draft{FormID: "f", FormVersion: v})
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("version %d: %v, want %v", v, err, want)
		}
		var ve *VersionError
		if err != nil && (!errors.As(err, &ve) || !strings.Contains(err.Error(), "version")) {
			t.Errorf("version %d: %v is not a clear VersionError", v, err)
		}
	}
	if err := def.CheckDraft(&Draft{FormID: "g", FormVersion: 3}); !errors.Is(err, ErrWrongForm) {
		t.Error(err)
	}
	// A draft of an older version loads: answers to removed fields are pruned.
	res := def.Validate(Data{"a": "x", "removed": "y"}, Options{})
	if _, ok := res.Data["removed"]; ok || res.Data["a"] != "x" {
		t.Error(res.Data)
	}
}

func TestNoPersonalDataInPrints(t *testing.T) {
	def := loadSkjenk(t)
	sub := submitted(t, def, "skjenkebevilling-valid.json")
	d := def.NewDraft("person:x", time.Now())
	d.Data = sub.Data
	for _, s := range []string{fmtAll(sub), fmtAll(*sub), fmtAll(d), fmtAll(*d)} {
		if strings.Contains(s, "20036914700") || strings.Contains(s, "03851598730") {
			t.Errorf("print leaks a fødselsnummer: %s", s)
		}
	}
}

func fmtAll(x any) string {
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		b.WriteString(fmtSprintf(verb, x))
	}
	return b.String()
}

var fmtSprintf = fmt.Sprintf

func TestReceiptPDF(t *testing.T) {
	path, flags := testenv.Chromium(t)
	def := loadSkjenk(t)
	sub := submitted(t, def, "skjenkebevilling-valid.json")
	p := ChromiumPrinter{Path: path, NoSandbox: slices.Contains(flags, "--no-sandbox")}
	pdf, err := (&Renderer{Stylesheet: "/ignored.css"}).ReceiptPDF(context.Background(), p, def, sub, "nn")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"%PDF-", "/StructTreeRoot", "/Lang (nn)", "/MarkInfo"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("PDF lacks %s (a tagged PDF has it)", want)
		}
	}
	if _, err := (ChromiumPrinter{Path: "/nonexistent/chromium"}).PrintPDF(context.Background(), []byte("<p>x")); !errors.Is(err, ErrPrint) {
		t.Errorf("missing binary: %v", err)
	}
}
