package forms

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// TestReceiptNext: a service's "receipt-next" stands on the receipt after
// the confirmation and before the answers; the default adds nothing.
func TestReceiptNext(t *testing.T) {
	def := loadSkjenk(t)
	sub := submitted(t, def, "skjenkebevilling-hidden.json")
	next := template.Must(template.New("x").Parse(`{{define "receipt-next"}}<a id="next" href="/pay/{{.Reference}}">Pay</a>{{end}}`))
	var with, without bytes.Buffer
	if err := (&Renderer{Templates: next}).RenderReceipt(&with, def, sub, "nb"); err != nil {
		t.Fatal(err)
	}
	if err := (&Renderer{}).RenderReceipt(&without, def, sub, "nb"); err != nil {
		t.Fatal(err)
	}
	page := with.String()
	at, confirmed, answers := strings.Index(page, `<a id="next" href="/pay/`+sub.ID+`">`), strings.Index(page, "</div>"), strings.Index(page, "<h2")
	if at < 0 || at < confirmed || at > answers {
		t.Errorf("receipt-next at %d (confirmation ends %d, answers start %d)", at, confirmed, answers)
	}
	if strings.Contains(without.String(), `id="next"`) || without.Len() != with.Len()-len(`<a id="next" href="/pay/`+sub.ID+`">Pay</a>`) {
		t.Error("the default receipt-next is not empty")
	}
}
