package forms

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/i18n"
)

func loadSkjenk(t testing.TB) *Definition {
	t.Helper()
	def, err := Load("testdata/skjenkebevilling.json")
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func loadData(t testing.TB, name string) Data {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := (&Definition{}).ParseData(f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSkjenkebevillingValid(t *testing.T) {
	def := loadSkjenk(t)
	for _, lang := range i18n.All {
		res := def.Validate(loadData(t, "skjenkebevilling-valid.json"), Options{Lang: lang})
		if !res.Valid() || len(res.ExprErrors) > 0 {
			t.Fatalf("%s: %+v %v", lang, res.Errors, res.ExprErrors)
		}
		b, _ := json.Marshal(res.Data)
		for _, want := range []string{`"telefon":"+4791234567"`, `"fodselsnummer":"20036914700"`, `"arealUte":40`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s: pruned data lacks %s: %s", lang, want, b)
			}
		}
	}
}

func TestSkjenkebevillingPrunesHidden(t *testing.T) {
	def := loadSkjenk(t)
	res := def.Validate(loadData(t, "skjenkebevilling-hidden.json"), Options{})
	if !res.Valid() {
		t.Fatalf("hidden fields were validated: %+v", res.Errors)
	}
	b, _ := json.Marshal(res.Data)
	for _, gone := range []string{"fakturaadresse", "Skal bort", "typeBeskrivelse", "skjult", "arealUte", "uteserveringKart", "fraDato", "forventetOmsetning", "ekstra", "ikke et tall"} {
		if strings.Contains(string(b), gone) {
			t.Errorf("pruned data still holds %q: %s", gone, b)
		}
	}
	for _, kept := range []string{`"arrangementDato":"2027-06-23"`, `"annenFakturaadresse":"nei"`, `"uteservering":"nei"`} {
		if !strings.Contains(string(b), kept) {
			t.Errorf("pruned data lacks %s: %s", kept, b)
		}
	}
}

// mutate returns a copy of the valid submission changed by f.
func mutate(t *testing.T, f func(d Data)) Data {
	d := loadData(t, "skjenkebevilling-valid.json")
	f(d)
	return d
}

func obj(d Data, path ...string) map[string]any {
	cur := map[string]any(d)
	for _, p := range path {
		cur = cur[p].(map[string]any)
	}
	return cur
}

func TestSkjenkebevillingErrors(t *testing.T) {
	def := loadSkjenk(t)
	tests := []struct {
		name      string
		change    func(d Data)
		pointer   string
		component string
		code      string
		msg       map[string]string
	}{
		{"required", func(d Data) { delete(obj(d, "soker"), "navn") }, "/soker/navn", "soker-navn", CodeRequired,
			map[string]string{"nb": "Du må fylle ut «Foretakets navn».", "nn": "Du må fylle ut «Namnet på føretaket».", "en": "Enter “Company name”."}},
		{"required when shown", func(d Data) { delete(obj(d, "skjenkested"), "arealUte") }, "/skjenkested/arealUte", "uteservering-areal", CodeRequired, nil},
		{"fnr control digit", func(d Data) { obj(d, "styrer")["fodselsnummer"] = "20036914701" }, "/styrer/fodselsnummer", "styrer-fnr", CodeFnr,
			map[string]string{"nb": "«Fødselsnummer (11 siffer) – Styrer» er ikke et gyldig fødselsnummer eller D-nummer.", "en": "“National identity number (11 digits) – Manager” is not a valid national identity number or D number."}},
		{"fnr length", func(d Data) { obj(d, "styrer")["fodselsnummer"] = "2003691470" }, "/styrer/fodselsnummer", "styrer-fnr", CodeFnrLength, nil},
		{"orgnr", func(d Data) { obj(d, "soker")["organisasjonsnummer"] = "974760674" }, "/soker/organisasjonsnummer", "soker-orgnr", CodeOrgnr, nil},
		{"email", func(d Data) { obj(d, "soker", "kontakt")["epost"] = "kari@" }, "/soker/kontakt/epost", "kontakt-epost", CodeEmail, nil},
		{"phone", func(d Data) { obj(d, "soker", "kontakt")["telefon"] = "1234" }, "/soker/kontakt/telefon", "kontakt-telefon", CodePhone, nil},
		{"option", func(d Data) { obj(d, "skjenkested")["type"] = "kiosk" }, "/skjenkested/type", "sted-type", CodeOption, nil},
		{"checkbox option", func(d Data) { obj(d, "bevilling")["alkoholgrupper"] = []any{"1", "4"} }, "/bevilling/alkoholgrupper", "alkoholgrupper", CodeOption, nil},
		{"min", func(d Data) { obj(d, "skjenkested")["maksGjester"] = json.Number("0") }, "/skjenkested/maksGjester", "sted-gjester", CodeMin,
			map[string]string{"nn": "«Største tal på gjester samstundes» må vere minst 1."}},
		{"number type", func(d Data) { obj(d, "skjenkested")["maksGjester"] = "mange" }, "/skjenkested/maksGjester", "sted-gjester", CodeType, nil},
		{"amount decimals", func(d Data) { obj(d, "bevilling")["forventetOmsetning"] = json.Number("10.123") }, "/bevilling/forventetOmsetning", "omsetning", CodeDecimals, nil},
		{"date", func(d Data) { obj(d, "bevilling")["fraDato"] = "2027-02-30" }, "/bevilling/fraDato", "oppstart-dato", CodeDate, nil},
		{"address part", func(d Data) { obj(d, "skjenkested", "adresse")["postnummer"] = "55" }, "/skjenkested/adresse/postnummer", "sted-adresse", CodePostnummer, nil},
		{"pattern with message", func(d Data) {
			obj(d, "bevilling")["skjenketider"].([]any)[1].(map[string]any)["fra"] = "kl 11"
		}, "/bevilling/skjenketider/1/fra", "tid-fra", CodePattern, map[string]string{"en": "Write the time as HH:MM, for example 18:00."}},
		{"custom validation in row", func(d Data) {
			obj(d, "bevilling")["skjenketider"].([]any)[2].(map[string]any)["til"] = "12:00"
		}, "/bevilling/skjenketider/2/til", "tid-til", CodeCustom, map[string]string{"nb": "Skjenketiden kan ikke starte og slutte på samme klokkeslett."}},
		{"custom validation across groups", func(d Data) { obj(d, "stedfortreder")["fodselsnummer"] = "20036914700" }, "/stedfortreder/fodselsnummer", "stedfortreder-fnr", CodeCustom,
			map[string]string{"en": "The deputy must be someone other than the manager."}},
		{"max rows", func(d Data) {
			rows := make([]any, 8)
			for i := range rows {
				rows[i] = map[string]any{"dag": "mandag", "fra": "10:00", "til": "11:00"}
			}
			obj(d, "bevilling")["skjenketider"] = rows
		}, "/bevilling/skjenketider", "apningstider", CodeMaxRows, nil},
		{"no rows", func(d Data) { obj(d, "bevilling")["skjenketider"] = []any{} }, "/bevilling/skjenketider", "apningstider", "requiredRows", nil},
		{"file size", func(d Data) {
			obj(d, "vedlegg")["firmaattest"].([]any)[0].(map[string]any)["size"] = json.Number("10485761")
		}, "/vedlegg/firmaattest/0", "firmaattest", CodeFileSize, map[string]string{"nb": "Filen må være mindre enn 10 MB."}},
		{"file type", func(d Data) {
			obj(d, "vedlegg")["firmaattest"].([]any)[0].(map[string]any)["contentType"] = "application/zip"
		}, "/vedlegg/firmaattest/0", "firmaattest", CodeFileType, nil},
		{"too many files", func(d Data) {
			f := obj(d, "vedlegg")["firmaattest"].([]any)
			obj(d, "vedlegg")["firmaattest"] = append(f, f[0])
		}, "/vedlegg/firmaattest", "firmaattest", CodeMaxFiles, nil},
		{"text too long", func(d Data) { d["kommentar"] = strings.Repeat("x", 2001) }, "/kommentar", "kommentar", CodeMaxLength, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range i18n.All {
				res := def.Validate(mutate(t, tt.change), Options{Lang: lang})
				if len(res.Errors) != 1 {
					t.Fatalf("%s: want one error, got %+v", lang, res.Errors)
				}
				e := res.Errors[0]
				if e.Pointer != tt.pointer || e.Component != tt.component || e.Code != tt.code || e.Message == "" {
					t.Errorf("%s: got %+v, want %s %s %s", lang, e, tt.pointer, tt.component, tt.code)
				}
				if want, ok := tt.msg[string(lang)]; ok && e.Message != want {
					t.Errorf("%s: message %q, want %q", lang, e.Message, want)
				}
				if strings.Contains(e.Error(), "20036914") || strings.Contains(e.Message, "20036914") {
					t.Errorf("error leaks the fødselsnummer: %v", e)
				}
			}
		})
	}
}
