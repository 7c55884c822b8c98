package forms

import (
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"

	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ReceiptJSON returns the canonical JSON of a submission's receipt: the form,
// its version, the submission id and time and the pruned data. Canonical in
// the manner of RFC 8785: object keys sorted, no insignificant whitespace,
// numbers in their shortest form, strings with only the escapes JSON
// requires. The same submission always gives the same bytes, so the receipt's
// SHA-256 (ReceiptDigest) can be quoted and checked later.
//
// The data is pruned again against def, so a receipt never shows what a
// hidden component held, even for a submission stored by other code.
func (def *Definition) ReceiptJSON(sub *Submission) ([]byte, error) {
	if sub.FormID != def.ID {
		return nil, ErrWrongForm
	}
	res := def.Validate(sub.Data, Options{Lang: sub.Lang})
	doc := map[string]any{
		"form":        sub.FormID,
		"formVersion": json.Number(strconv.Itoa(sub.FormVersion)),
		"id":          sub.ID,
		"submittedAt": sub.SubmittedAt.UTC().Format(time.RFC3339Nano),
		"lang":        string(sub.Lang),
		"data":        map[string]any(res.Data),
	}
	var b strings.Builder
	if err := canonical(&b, doc, 0); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// ReceiptDigest is the hex SHA-256 of ReceiptJSON.
func ReceiptDigest(receiptJSON []byte) string {
	sum := sha256.Sum256(receiptJSON)
	return hex.EncodeToString(sum[:])
}

func canonical(b *strings.Builder, x any, depth int) error {
	if depth > 64 {
		return fmt.Errorf("forms: receipt data nested too deeply")
	}
	switch x := x.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		canonicalString(b, x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return fmt.Errorf("forms: receipt: bad number")
		}
		b.WriteString(expr.FormatNumber(f))
	case float64:
		b.WriteString(expr.FormatNumber(x))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			canonicalString(b, k)
			b.WriteByte(':')
			if err := canonical(b, x[k], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := canonical(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		return fmt.Errorf("forms: receipt: unexpected %T", x)
	}
	return nil
}

func canonicalString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(b, `\u%04x`, r)
		case r == utf8.RuneError:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// RenderReceipt writes the receipt page: the reference, the time in
// Europe/Oslo, every answer of the pruned data and the receipt's SHA-256. It
// prints well (Chromium's print to PDF gives a tagged PDF from it).
func (r *Renderer) RenderReceipt(w io.Writer, def *Definition, sub *Submission, lang i18n.Lang) error {
	lang = normLang(lang)
	js, err := def.ReceiptJSON(sub)
	if err != nil {
		return err
	}
	loc := r.Location
	if loc == nil {
		loc = civil.Oslo
	}
	pattern := "d. MMMM yyyy 'kl.' " + lang.ClockPattern()
	if lang == i18n.EN {
		pattern = "d MMMM yyyy 'at' " + lang.ClockPattern()
	}
	pruned := def.Validate(sub.Data, Options{Lang: lang}).Data
	v := &SummaryView{
		Lang: lang, FormTitle: def.Text(def.Title, lang), Stylesheet: r.Stylesheet,
		Reference: sub.ID, SubmittedAt: lang.Format(sub.SubmittedAt.In(loc), pattern),
		Sections: def.Summary(pruned, SummaryOptions{Lang: lang, Location: loc}), Digest: ReceiptDigest(js),
	}
	v.Title = message("receipt", lang) + " – " + v.FormTitle
	if r.Stylesheet == "" {
		v.CSS = builtinCSS
	}
	return r.exec(w, "receipt", v)
}
