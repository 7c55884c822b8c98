package svarut

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
)

// Limits from the v2 spec and KS's documentation of sending.
const (
	MaxTitleLength    = 1000
	MaxFileNameLength = 226
	MaxLinks          = 5
	MaxRefLength      = 100 // eksternReferanse, korrelasjonsid, forsendelsestype, avgivendeSystem
	// MaxPrintSize is the total size of the PDFs of a shipment that may go to
	// print: "inntil 350 MB". Read as MiB, the larger reading, so that the
	// check never refuses what SvarUT accepts.
	MaxPrintSize int64 = 350 << 20
	// ForbiddenFileNameChars may not appear in a file name.
	ForbiddenFileNameChars = `*:"\/<>|?`
	MimePDF                = "application/pdf"
)

var konteringskodeRE = regexp.MustCompile(`^[a-zA-Z0-9_\-.øæåØÆÅ]{0,20}$`)

// FieldError is one reason a shipment is invalid. Field is a path in the
// SvarUT forsendelse JSON ("dokumenter[1].filnavn").
type FieldError struct {
	Field string
	Code  string // a stable code: "required", "too_long", "duplicate", ...
	msg   [3]string
}

// Message is the text in lang: i18n.NB, i18n.NN or i18n.EN (any other
// value gives bokmål).
func (e FieldError) Message(lang i18n.Lang) string {
	switch lang {
	case i18n.NN:
		return e.msg[1]
	case i18n.EN:
		return e.msg[2]
	}
	return e.msg[0]
}

func (e FieldError) Error() string { return e.Field + ": " + e.msg[2] }

// ValidationError lists every reason a shipment is invalid. It unwraps to
// ErrInvalid.
type ValidationError struct{ Fields []FieldError }

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("svarut: invalid shipment: ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Error())
	}
	return b.String()
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

type validator struct{ errs []FieldError }

func (v *validator) add(field, code, nb, nn, en string) {
	v.errs = append(v.errs, FieldError{Field: field, Code: code, msg: [3]string{nb, nn, en}})
}

func (v *validator) required(field, val string) {
	if strings.TrimSpace(val) == "" {
		v.add(field, "required", "Feltet må fylles ut.", "Feltet må fyllast ut.", "The field is required.")
	}
}

func (v *validator) maxLen(field, val string, n int) {
	if utf8.RuneCountInString(val) > n {
		v.add(field, "too_long",
			fmt.Sprintf("Kan ikke være lengre enn %d tegn.", n),
			fmt.Sprintf("Kan ikkje vere lengre enn %d teikn.", n),
			fmt.Sprintf("Must be at most %d characters.", n))
	}
}

// Validate checks s against the limits of the spec before it is sent, and
// returns a *ValidationError naming every field that is wrong.
func Validate(s *Shipment) error {
	v := &validator{}
	v.required("tittel", s.Title)
	v.maxLen("tittel", s.Title, MaxTitleLength)
	v.recipient(s)
	v.references(s)
	v.links(s.Links)
	v.documents(s)
	if s.RequireLevel4 && !s.Encrypted {
		v.add("krevNiva4Innlogging", "requires_encryption", "Nivå 4-innlogging krever krypterte dokumenter.",
			"Nivå 4-innlogging krev krypterte dokument.", "Level 4 login requires encrypted documents.")
	}
	if len(v.errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.errs}
}

// recipient checks the mottaker and the svarSendesTil address.
func (v *validator) recipient(s *Shipment) {
	r := s.Recipient
	v.required("mottaker.navn", r.Address.Name)
	if !r.Person.IsZero() && r.Org != "" {
		v.add("mottaker.digitalId", "ambiguous", "Mottaker kan ikke ha både fødselsnummer og organisasjonsnummer.",
			"Mottakar kan ikkje ha både fødselsnummer og organisasjonsnummer.",
			"The recipient cannot have both a fødselsnummer and an orgnr.")
	}
	if r.Org != "" {
		if _, err := ident.ParseOrgnr(string(r.Org)); err != nil {
			v.add("mottaker.digitalId", "orgnr", "Organisasjonsnummeret er ugyldig.", "Organisasjonsnummeret er ugyldig.",
				"The orgnr is invalid.")
		}
	}
	hasDigital := !r.Person.IsZero() || r.Org != ""
	if s.DigitalOnly && !hasDigital {
		v.add("mottaker.digitalId", "required", "Fødselsnummer eller organisasjonsnummer må oppgis ved kun digital levering.",
			"Fødselsnummer eller organisasjonsnummer må oppgjevast ved berre digital levering.",
			"A fødselsnummer or orgnr is required for digital-only delivery.")
	}
	if !s.DigitalOnly {
		checkPostal(v, "mottaker", r.Address)
	}
	if s.ReplyTo != nil {
		v.required("svarSendesTil.navn", s.ReplyTo.Name)
		checkPostal(v, "svarSendesTil", *s.ReplyTo)
		v.required("svarSendesTil.adresselinje1", s.ReplyTo.Line1)
	}
}

// references checks svarPaForsendelse, the reference fields' lengths and
// the konteringskode.
func (v *validator) references(s *Shipment) {
	if s.InReplyTo != "" {
		if _, err := uuid.Parse(s.InReplyTo); err != nil {
			v.add("svarPaForsendelse", "format", "Må være en gyldig forsendelses-id (UUID).",
				"Må vere ei gyldig forsendings-id (UUID).", "Must be a shipment id (a UUID).")
		}
	}
	for _, f := range []struct{ name, val string }{
		{"eksternReferanse", s.ExternalRef}, {"korrelasjonsid", s.CorrelationID},
		{"forsendelsestype", s.Type}, {"avgivendeSystem", s.SendingSystem},
	} {
		v.maxLen(f.name, f.val, MaxRefLength)
	}
	if !konteringskodeRE.MatchString(s.AccountingCode) {
		v.add("konteringskode", "pattern", "Kan bare inneholde bokstaver, tall, _ - og ., og høyst 20 tegn.",
			"Kan berre innehalde bokstavar, tal, _ - og ., og høgst 20 teikn.",
			"May hold only letters, digits, _ - and ., at most 20 characters.")
	}
}

func (v *validator) links(links []Link) {
	if len(links) > MaxLinks {
		v.add("lenker", "too_many", fmt.Sprintf("Høyst %d lenker.", MaxLinks), fmt.Sprintf("Høgst %d lenkjer.", MaxLinks),
			fmt.Sprintf("At most %d links.", MaxLinks))
	}
	for i, l := range links {
		v.required(fmt.Sprintf("lenker[%d].url", i), l.URL)
		v.required(fmt.Sprintf("lenker[%d].tekst", i), l.Text)
	}
}

// documents checks each document and the rules across them: unique names,
// one signer at most, the print limit.
func (v *validator) documents(s *Shipment) {
	if len(s.Documents) == 0 {
		v.add("dokumenter", "required", "Forsendelsen må ha minst ett dokument.", "Forsendinga må ha minst eitt dokument.",
			"The shipment needs at least one document.")
	}
	seen := map[string]bool{}
	var printSize int64
	signers := 0
	for i, d := range s.Documents {
		f := fmt.Sprintf("dokumenter[%d]", i)
		v.document(f, d, !s.DigitalOnly && !d.ExcludeFromPrint)
		if d.Name != "" {
			if seen[d.Name] {
				v.add(f+".filnavn", "duplicate", "Filnavnet er brukt før i forsendelsen.",
					"Filnamnet er brukt før i forsendinga.", "The file name is already used in the shipment.")
			}
			seen[d.Name] = true
		}
		if d.Sign {
			signers++
		}
		if !s.DigitalOnly && !d.ExcludeFromPrint {
			printSize += max(d.Size, 0)
		}
	}
	if signers > 1 {
		v.add("dokumenter", "too_many_signers", "Bare ett dokument kan signeres.", "Berre eitt dokument kan signerast.",
			"Only one document can be signed.")
	}
	if printSize > MaxPrintSize {
		v.add("dokumenter", "too_large_for_print",
			"Dokumentene er over 350 MB og kan ikke skrives ut: merk forsendelsen som kun digital.",
			"Dokumenta er over 350 MB og kan ikkje skrivast ut: merk forsendinga som berre digital.",
			"The documents exceed 350 MB and cannot be printed: mark the shipment digital-only.")
	}
}

// document checks one document, at the field path f.
func (v *validator) document(f string, d Document, printable bool) {
	v.required(f+".filnavn", d.Name)
	v.maxLen(f+".filnavn", d.Name, MaxFileNameLength)
	if strings.ContainsAny(d.Name, ForbiddenFileNameChars) || strings.ContainsFunc(d.Name, isControl) {
		v.add(f+".filnavn", "forbidden_char", "Filnavnet kan ikke inneholde * : \" \\ / < > | ?",
			"Filnamnet kan ikkje innehalde * : \" \\ / < > | ?", "The file name may not contain * : \" \\ / < > | ?")
	}
	v.required(f+".mimeType", d.MimeType)
	if d.Size < 0 {
		v.add(f, "size", "Ugyldig størrelse.", "Ugyldig storleik.", "Invalid size.")
	}
	if d.Sign && !isPDF(d.MimeType) {
		v.add(f+".skalSigneres", "not_pdf", "Bare PDF kan signeres.", "Berre PDF kan signerast.", "Only a PDF can be signed.")
	}
	if printable && !isPDF(d.MimeType) {
		v.add(f+".mimeType", "not_printable",
			"Bare PDF kan skrives ut: merk forsendelsen som kun digital, eller filen som ekskludert fra utskrift.",
			"Berre PDF kan skrivast ut: merk forsendinga som berre digital, eller fila som ekskludert frå utskrift.",
			"Only PDF can be printed: mark the shipment digital-only, or the file excluded from print.")
	}
	for _, p := range d.GiroPages {
		if p < 1 {
			v.add(f+".giroarkSider", "range", "Sidetall starter på 1.", "Sidetal startar på 1.", "Page numbers start at 1.")
			break
		}
	}
}

func checkPostal(v *validator, prefix string, a Address) {
	v.required(prefix+".poststed", a.PostTown)
	if norwegian(a.Country) {
		v.required(prefix+".postnummer", a.PostalCode)
		if a.PostalCode != "" && !fourDigits(a.PostalCode) {
			v.add(prefix+".postnummer", "format", "Postnummeret må ha fire sifre.", "Postnummeret må ha fire siffer.",
				"A Norwegian postal code has four digits.")
		}
	}
}

func norwegian(country string) bool {
	switch strings.ToUpper(strings.TrimSpace(country)) {
	case "", "NO", "NOR", "NORGE", "NOREG", "NORWAY":
		return true
	}
	return false
}

func fourDigits(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isPDF(mime string) bool {
	return strings.EqualFold(strings.TrimSpace(strings.SplitN(mime, ";", 2)[0]), MimePDF)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
