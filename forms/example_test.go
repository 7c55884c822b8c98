package forms_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
)

const exampleForm = `{
  "id": "hund", "version": 1, "title": "title",
  "texts": {
    "title":  {"nb": "Registrering av hund", "nn": "Registrering av hund", "en": "Dog registration"},
    "page":   {"nb": "Om hunden", "nn": "Om hunden", "en": "About the dog"},
    "navn":   {"nb": "Hundens navn", "nn": "Namnet på hunden", "en": "The dog's name"},
    "farlig": {"nb": "Er hunden farlig?", "nn": "Er hunden farleg?", "en": "Is the dog dangerous?"},
    "hvorfor": {"nb": "Beskriv hvorfor", "nn": "Beskriv kvifor", "en": "Describe why"},
    "eier":   {"nb": "Eierens fødselsnummer", "nn": "Fødselsnummeret til eigaren", "en": "Owner's national identity number"}
  },
  "pages": [{"id": "hund", "title": "page", "components": [
    {"id": "navn", "type": "text", "bind": "/navn", "label": "navn", "required": true},
    {"id": "farlig", "type": "yesno", "bind": "/farlig", "label": "farlig", "required": true},
    {"id": "hvorfor", "type": "textarea", "bind": "/hvorfor", "label": "hvorfor", "required": true,
     "hidden": ["notEquals", ["component", "farlig"], "ja"]},
    {"id": "eier", "type": "fodselsnummer", "bind": "/eier", "label": "eier", "required": true}
  ]}]
}`

func Example() {
	def, err := forms.Parse([]byte(exampleForm))
	if err != nil {
		panic(err)
	}
	data, _ := def.ParseData(strings.NewReader(`{"farlig": "nei", "hvorfor": "biter", "eier": "20036914701"}`))
	for _, lang := range []i18n.Lang{"nb", "en"} {
		res := def.Validate(data, forms.Options{Lang: lang})
		for _, e := range res.Errors {
			fmt.Printf("%s\t%s\t%s\n", e.Pointer, e.Component, e.Message)
		}
	}
	// Output:
	// /navn	navn	Du må fylle ut «Hundens navn».
	// /eier	eier	«Eierens fødselsnummer» er ikke et gyldig fødselsnummer eller D-nummer.
	// /navn	navn	Enter “The dog's name”.
	// /eier	eier	“Owner's national identity number” is not a valid national identity number or D number.
}

// Hidden data is neither validated nor kept.
func ExampleDefinition_Validate() {
	def := forms.MustParse([]byte(exampleForm))
	data, _ := def.ParseData(strings.NewReader(`{"navn": "Fido", "farlig": "nei", "hvorfor": "biter", "eier": "20036914700", "ekstra": 1}`))
	res := def.Validate(data, forms.Options{})
	fmt.Println(res.Valid(), res.Data["hvorfor"], res.Data["ekstra"], len(res.Data))
	// Output: true <nil> <nil> 3
}

func ExampleDefinition_Eval() {
	def := forms.MustParse([]byte(exampleForm))
	e := expr.MustParse(`["if", ["equals", ["component", "farlig"], "ja"], ["concat", ["upperCase", ["dataModel", "navn"]], " er farlig"], "else", ["formatDate", "2026-05-17", "EEEE d. MMMM"]]`)
	for _, farlig := range []string{"ja", "nei"} {
		v, err := def.Eval(e, map[string]any{"navn": "Fido", "farlig": farlig}, forms.Context{Lang: "nn"})
		fmt.Println(v.Any(), err)
	}
	// Output:
	// FIDO er farlig <nil>
	// sundag 17. mai <nil>
}

func ExampleParse_problems() {
	_, err := forms.Parse([]byte(`{"id": "f", "version": 1, "title": "t",
	  "texts": {"t": {"nb": "Tittel", "nn": "Tittel"}},
	  "pages": [{"id": "p", "title": "t", "components": [
	    {"id": "a", "type": "text", "bind": "a", "label": "t", "hidden": ["equals", ["component", "b"]]}]}]}`))
	for _, p := range err.(*forms.DefinitionError).Problems {
		fmt.Println(p)
	}
	// Output:
	// pages[0] "p".components[0] "a": bind: "a" is not a JSON Pointer (it must start with /)
	// pages[0] "p".components[0] "a".hidden: expression: equals: expected 2 argument(s), got 1
	// texts.t: missing en text (used by form.title)
}

func ExampleDefinition_Submit() {
	def := forms.MustParse([]byte(exampleForm))
	store := forms.NewMemoryStore()
	ctx := context.Background()
	now := time.Date(2026, 5, 17, 10, 0, 0, 0, time.UTC)

	d := def.NewDraft("person:example", now)
	d.Data = forms.Data{"navn": "Fido", "farlig": "ja", "hvorfor": "Biter postbud", "eier": "20036914700"}
	_ = store.CreateDraft(ctx, d)
	sub, res, err := def.Submit(ctx, store, d, "nb", now)
	fmt.Println(res.Valid(), err)
	_, _, err = def.Submit(ctx, store, d, "nb", now)
	fmt.Println(err)
	js, _ := def.ReceiptJSON(sub)
	fmt.Println(strings.Contains(string(js), `"data":{"eier":"20036914700","farlig":"ja","hvorfor":"Biter postbud","navn":"Fido"}`))
	var page bytes.Buffer
	_ = (&forms.Renderer{}).RenderReceipt(&page, def, sub, "nb")
	fmt.Println(strings.Contains(page.String(), "Søknaden er sendt inn"))
	// Output:
	// true <nil>
	// forms: draft already submitted
	// true
	// true
}

// A Flow stores uploads through Put; the case officer's view reads them back
// with Open.
func ExampleMemoryFileStore() {
	ctx := context.Background()
	files := &forms.MemoryFileStore{MaxSize: 10}
	id, err := files.Put(ctx, "org:974760673", "firmaattest.pdf", "application/pdf", strings.NewReader("%PDF-1.7"))
	if err != nil {
		panic(err)
	}
	info, rc, err := files.Open(ctx, id)
	if err != nil {
		panic(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	b.ReadFrom(rc)
	fmt.Println(info.Name, info.ContentType, info.Size, b.String())

	_, err = files.Put(ctx, "org:974760673", "stor.pdf", "application/pdf", strings.NewReader("%PDF-1.7 and more"))
	fmt.Println(errors.Is(err, forms.ErrFileTooLarge))
	_, _, err = files.Open(ctx, "no-such-id")
	fmt.Println(errors.Is(err, forms.ErrFileNotFound))
	// Output:
	// firmaattest.pdf application/pdf 8 %PDF-1.7
	// true
	// true
}

// A service's own handlers answer with the status and code of the error.
func ExampleHTTPStatus() {
	def := forms.MustParse([]byte(exampleForm))
	store := forms.NewMemoryStore()
	_, err := store.GetDraft(context.Background(), "no-such-draft")
	fmt.Println(forms.HTTPStatus(err))
	_, err = def.ParseData(strings.NewReader(`[1, 2]`))
	fmt.Println(forms.HTTPStatus(err))
	// Output:
	// 404 not_found
	// 400 bad_data
}

// DraftExpiry deletes what citizens started and never sent. A service runs
// it with Run(ctx, 24*time.Hour); one pass is RunOnce.
func ExampleDraftExpiry() {
	ctx := context.Background()
	store := forms.NewMemoryStore()
	def := forms.MustParse([]byte(exampleForm))
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	_ = store.CreateDraft(ctx, def.NewDraft("person:left", now.AddDate(0, 0, -91)))
	_ = store.CreateDraft(ctx, def.NewDraft("person:busy", now.AddDate(0, 0, -1)))

	job := &forms.DraftExpiry{Store: store, MaxAge: 90 * 24 * time.Hour, Now: func() time.Time { return now }}
	if err := job.RunOnce(ctx); err != nil {
		panic(err)
	}
	for _, owner := range []string{"person:left", "person:busy"} {
		ds, _ := store.ListDrafts(ctx, owner, "")
		fmt.Println(owner, len(ds))
	}
	// Output:
	// person:left 0
	// person:busy 1
}

// The zero Flow's stores keep drafts, submissions and uploads in memory:
// enough to try a form out.
func ExampleFlow() {
	flow := &forms.Flow{
		Def:    forms.MustParse([]byte(exampleForm)),
		Owner:  func(*http.Request) (string, error) { return "person:example", nil },
		Prefix: "/soknad",
	}
	srv := httptest.NewServer(http.StripPrefix("/soknad", flow))
	defer srv.Close()
	res, err := http.Post(srv.URL+"/soknad/?lang=en", "", nil)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode, strings.HasSuffix(res.Request.URL.Path, "/hund"))
	// Output: 200 true
}

// A summary of the answers, for a letter, a receipt or an officer's page:
// the labels in the reader's language, the hidden answers left out.
func ExampleDefinition_Summary() {
	def := forms.MustParse([]byte(exampleForm))
	data, _ := def.ParseData(strings.NewReader(`{"navn": "Fido 🐕", "farlig": "nei", "hvorfor": "biter", "eier": "20036914700"}`))
	for _, s := range def.Summary(data, forms.SummaryOptions{Lang: i18n.NN, MaskPersonalNumbers: true}) {
		fmt.Println(s.Title)
		for _, r := range s.Rows {
			fmt.Printf("  %s: %s\n", r.Label, r.Text(", "))
		}
	}
	// Output:
	// Om hunden
	//   Namnet på hunden: Fido 🐕
	//   Er hunden farleg?: Nei
	//   Fødselsnummeret til eigaren: 200369*****
}
