package forms

import (
	"strings"

	"github.com/grunnmur/grunnmur/i18n"
)

// Error codes of FieldError.
const (
	CodeRequired    = "required"
	CodeType        = "type"
	CodeFormat      = "format"
	CodeOption      = "option"
	CodeMin         = "min"
	CodeMax         = "max"
	CodeMinLength   = "minLength"
	CodeMaxLength   = "maxLength"
	CodePattern     = "pattern"
	CodeDate        = "date"
	CodeEmail       = "email"
	CodePhone       = "phone"
	CodeFnr         = "fodselsnummer"
	CodeFnrLength   = "fodselsnummerLength"
	CodeOrgnr       = "orgnr"
	CodeKontonummer = "kontonummer"
	CodePostnummer  = "postnummer"
	CodeDecimals    = "decimals"
	CodeMinRows     = "minRows"
	CodeMaxRows     = "maxRows"
	CodeFileSize    = "fileSize"
	CodeFileType    = "fileType"
	CodeMaxFiles    = "maxFiles"
	CodeSchema      = "schema"
	CodeCustom      = "custom"
)

// messages are the SDK's own texts a citizen sees: error messages with
// {label}, {min}, {max} placeholders, and the words of the page flow. Every
// key has nb, nn and en (a test checks); se where we have it.
var messages = map[string]Text{
	CodeRequired:       {"nb": "Du må fylle ut «{label}».", "nn": "Du må fylle ut «{label}».", "en": "Enter “{label}”."},
	"requiredChoice":   {"nb": "Du må velge «{label}».", "nn": "Du må velje «{label}».", "en": "Select “{label}”."},
	"requiredFile":     {"nb": "Du må laste opp «{label}».", "nn": "Du må laste opp «{label}».", "en": "Upload “{label}”."},
	"requiredRows":     {"nb": "Du må legge til minst én rad i «{label}».", "nn": "Du må leggje til minst éi rad i «{label}».", "en": "Add at least one row to “{label}”."},
	CodeType:           {"nb": "«{label}» har en ugyldig verdi.", "nn": "«{label}» har ein ugyldig verdi.", "en": "“{label}” has a value that is not valid."},
	CodeFormat:         {"nb": "«{label}» er ikke skrevet riktig.", "nn": "«{label}» er ikkje skriven rett.", "en": "“{label}” is not in the right format."},
	CodeOption:         {"nb": "Velg et av alternativene for «{label}».", "nn": "Vel eitt av alternativa for «{label}».", "en": "Select one of the options for “{label}”."},
	CodeMin:            {"nb": "«{label}» må være minst {min}.", "nn": "«{label}» må vere minst {min}.", "en": "“{label}” must be {min} or more."},
	CodeMax:            {"nb": "«{label}» kan ikke være mer enn {max}.", "nn": "«{label}» kan ikkje vere meir enn {max}.", "en": "“{label}” must be {max} or less."},
	CodeMinLength:      {"nb": "«{label}» må ha minst {min} tegn.", "nn": "«{label}» må ha minst {min} teikn.", "en": "“{label}” must be {min} characters or more."},
	CodeMaxLength:      {"nb": "«{label}» kan ha høyst {max} tegn.", "nn": "«{label}» kan ha høgst {max} teikn.", "en": "“{label}” must be {max} characters or less."},
	CodePattern:        {"nb": "«{label}» er ikke skrevet riktig.", "nn": "«{label}» er ikkje skriven rett.", "en": "“{label}” is not in the right format."},
	CodeDate:           {"nb": "«{label}» må være en ekte dato, for eksempel 17.5.2026.", "nn": "«{label}» må vere ein verkeleg dato, til dømes 17.5.2026.", "en": "“{label}” must be a real date, for example 17 5 2026."},
	CodeEmail:          {"nb": "Skriv inn en e-postadresse i riktig format, som navn@eksempel.no.", "nn": "Skriv inn ei e-postadresse i rett format, som namn@eksempel.no.", "en": "Enter an email address in the correct format, like name@example.com."},
	CodePhone:          {"nb": "Skriv inn et telefonnummer med 8 siffer, eller med landskode som +47.", "nn": "Skriv inn eit telefonnummer med 8 siffer, eller med landskode som +47.", "en": "Enter a phone number of 8 digits, or with a country code like +47."},
	CodeFnr:            {"nb": "«{label}» er ikke et gyldig fødselsnummer eller D-nummer.", "nn": "«{label}» er ikkje eit gyldig fødselsnummer eller D-nummer.", "en": "“{label}” is not a valid national identity number or D number."},
	CodeFnrLength:      {"nb": "«{label}» må ha 11 siffer.", "nn": "«{label}» må ha 11 siffer.", "en": "“{label}” must be 11 digits."},
	CodeOrgnr:          {"nb": "«{label}» må være et gyldig organisasjonsnummer med 9 siffer.", "nn": "«{label}» må vere eit gyldig organisasjonsnummer med 9 siffer.", "en": "“{label}” must be a valid 9-digit organisation number."},
	CodeKontonummer:    {"nb": "«{label}» må være et gyldig kontonummer med 11 siffer.", "nn": "«{label}» må vere eit gyldig kontonummer med 11 siffer.", "en": "“{label}” must be a valid 11-digit account number."},
	CodePostnummer:     {"nb": "Postnummeret må ha 4 siffer.", "nn": "Postnummeret må ha 4 siffer.", "en": "The postcode must be 4 digits."},
	CodeDecimals:       {"nb": "«{label}» kan ha høyst to desimaler.", "nn": "«{label}» kan ha høgst to desimalar.", "en": "“{label}” can have at most two decimals."},
	CodeMinRows:        {"nb": "«{label}» må ha minst {min} rader.", "nn": "«{label}» må ha minst {min} rader.", "en": "“{label}” needs at least {min} rows."},
	CodeMaxRows:        {"nb": "«{label}» kan ha høyst {max} rader.", "nn": "«{label}» kan ha høgst {max} rader.", "en": "“{label}” can have at most {max} rows."},
	CodeFileSize:       {"nb": "Filen må være mindre enn {max}.", "nn": "Fila må vere mindre enn {max}.", "en": "The file must be smaller than {max}."},
	CodeFileType:       {"nb": "Filen må være {types}.", "nn": "Fila må vere {types}.", "en": "The file must be {types}."},
	"fileArticle":      {"nb": "en", "nn": "ein", "en": "a"},
	"or":               {"nb": "eller", "nn": "eller", "en": "or"},
	CodeMaxFiles:       {"nb": "Du kan laste opp høyst {max} filer.", "nn": "Du kan laste opp høgst {max} filer.", "en": "You can upload at most {max} files."},
	CodeSchema:         {"nb": "«{label}» har en ugyldig verdi.", "nn": "«{label}» har ein ugyldig verdi.", "en": "“{label}” has a value that is not valid."},
	"skipToContent":    {"nb": "Hopp til hovedinnholdet", "nn": "Hopp til hovudinnhaldet", "en": "Skip to main content"},
	"addressLineLabel": {"nb": "Gateadresse", "nn": "Gateadresse", "en": "Street address"},
	"addressLine":      {"nb": "adresse", "nn": "adresse", "en": "address"},
	"postnummerLabel":  {"nb": "Postnummer", "nn": "Postnummer", "en": "Postcode"},
	"poststed":         {"nb": "Poststed", "nn": "Poststad", "en": "Town or city"},
	"day":              {"nb": "Dag", "nn": "Dag", "en": "Day"},
	"month":            {"nb": "Måned", "nn": "Månad", "en": "Month"},
	"year":             {"nb": "År", "nn": "År", "en": "Year"},
	"yes":              {"nb": "Ja", "nn": "Ja", "en": "Yes", "se": "Juo"},
	"no":               {"nb": "Nei", "nn": "Nei", "en": "No", "se": "Ii"},
	"choose":           {"nb": "Velg", "nn": "Vel", "en": "Select"},
	"errorPrefix":      {"nb": "Feil: ", "nn": "Feil: ", "en": "Error: "},
	"errorSummary":     {"nb": "Det er noe som må rettes", "nn": "Det er noko som må rettast", "en": "There is a problem"},
	"errorInline":      {"nb": "Feil:", "nn": "Feil:", "en": "Error:"},
	"back":             {"nb": "Tilbake", "nn": "Tilbake", "en": "Back"},
	"continue":         {"nb": "Fortsett", "nn": "Hald fram", "en": "Continue"},
	"saveDraft":        {"nb": "Lagre utkast", "nn": "Lagre utkast", "en": "Save draft"},
	"submit":           {"nb": "Send inn", "nn": "Send inn", "en": "Submit"},
	"checkAnswers":     {"nb": "Se over svarene dine", "nn": "Sjå over svara dine", "en": "Check your answers"},
	"checkAnswersLead": {"nb": "Sjekk at svarene er riktige før du sender inn.", "nn": "Sjekk at svara er rette før du sender inn.", "en": "Check that your answers are right before you submit."},
	"change":           {"nb": "Endre", "nn": "Endre", "en": "Change"},
	"notAnswered":      {"nb": "Ikke besvart", "nn": "Ikkje svart på", "en": "Not answered"},
	"row":              {"nb": "Rad", "nn": "Rad", "en": "Row"},
	"addRow":           {"nb": "Legg til", "nn": "Legg til", "en": "Add"},
	"removeRow":        {"nb": "Fjern", "nn": "Fjern", "en": "Remove"},
	"page":             {"nb": "Side", "nn": "Side", "en": "Page"},
	"of":               {"nb": "av", "nn": "av", "en": "of"},
	"receipt":          {"nb": "Kvittering", "nn": "Kvittering", "en": "Receipt"},
	"received":         {"nb": "Søknaden er sendt inn", "nn": "Søknaden er send inn", "en": "Your application has been submitted"},
	"reference":        {"nb": "Referanse", "nn": "Referanse", "en": "Reference"},
	"submittedAt":      {"nb": "Sendt inn", "nn": "Send inn", "en": "Submitted"},
	"checksum":         {"nb": "Kontrollsum (SHA-256)", "nn": "Kontrollsum (SHA-256)", "en": "Checksum (SHA-256)"},
	"file":             {"nb": "Fil", "nn": "Fil", "en": "File"},
	"fileLimits":       {"nb": "Største filstørrelse: {max}.", "nn": "Største filstorleik: {max}.", "en": "Largest file size: {max}."},
	"kroner":           {"nb": "kr", "nn": "kr", "en": "NOK"},
}

// message returns the SDK text for key in lang (nb for languages it lacks),
// with the placeholders filled in.
func message(key string, lang i18n.Lang, args ...string) string {
	t := messages[key]
	s := t[string(lang)]
	if s == "" {
		s = t["nb"]
	}
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	return strings.NewReplacer(args...).Replace(s)
}

// Message returns one of the SDK's own texts (error messages, button labels)
// in lang; the keys are the Code* constants and the page-flow words.
func Message(key string, lang i18n.Lang) string { return message(key, lang) }
