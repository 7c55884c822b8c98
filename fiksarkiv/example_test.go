package fiksarkiv_test

import (
	"errors"
	"fmt"
	"strings"
	"testing/fstest"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fiksarkiv"
)

func ExampleMapper() {
	opened := time.Date(2026, 3, 2, 9, 30, 0, 0, civil.Oslo)
	c := &archive.Saksmappe{
		SystemID: "0b8a3f8e-5d1c-4e0a-9b7f-2c6d4e8f1a30",
		ClassID:  "skjenkebevilling",
		Title:    "Skjenkebevilling - Kafé Løkka",
		Created:  opened,
		Year:     2026, Sequence: 17, Date: civil.DateOf(opened),
		Status: "Under behandling",
		Records: []archive.Journalpost{{
			SystemID: "6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8",
			Title:    "Søknad om skjenkebevilling",
			Type:     "Inngående dokument",
			Parties:  []archive.Korrespondansepart{{Type: "Avsender", Name: "Kari Nordmann 🍺"}},
			Documents: []archive.Dokument{{
				Title: "Søknad", Type: "Søknad",
				Open: archive.FromFS(fstest.MapFS{"soknad.pdf": {Data: []byte("%PDF-1.4")}}, "soknad.pdf"),
			}},
		}},
	}
	m := fiksarkiv.Mapper{System: "grunnmur skjenkebevilling", Fagsystem: "grunnmur"}

	sak, err := m.Saksmappe(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("saksmappe key:", sak.Mappe.ReferanseEksternNoekkel.Noekkel, "status:", sak.Mappe.Saksstatus.Kode)

	jp, files, err := m.Journalpost(c, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("filed into:", jp.Registrering.ReferanseForelderMappe.ReferanseEksternNoekkel.Noekkel)
	fmt.Println("journalposttype:", jp.Registrering.Journalposttype.Kode, "files:", jp.AntallFiler, files[0].Name)
	if _, err := jp.Marshal(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// saksmappe key: 0b8a3f8e-5d1c-4e0a-9b7f-2c6d4e8f1a30 status: B
	// filed into: 0b8a3f8e-5d1c-4e0a-9b7f-2c6d4e8f1a30
	// journalposttype: I files: 1 1-6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8.pdf
}

func ExampleParseReply() {
	payload := []byte(`<ugyldigforespoersel xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1">
  <feilId xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">a-17</feilId>
  <feilmelding xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">tittel mangler</feilmelding>
</ugyldigforespoersel>`)
	r, err := fiksarkiv.ParseReply(fiksarkiv.TypeUgyldigforespoersel, payload)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Final(), r.Feil.Kind, r.Feil.Message, r.Feil.Temporary())

	_, err = fiksarkiv.ParseReply(fiksarkiv.TypeArkivmeldingOpprettKvittering, []byte("<html/>"))
	fmt.Println(errors.Is(err, fiksarkiv.ErrReply))
	// Output:
	// true ugyldigforespoersel tittel mangler false
	// true
}

func ExampleArkivmelding_Marshal() {
	a := &fiksarkiv.Arkivmelding{System: "grunnmur", Mappe: &fiksarkiv.Saksmappe{
		Tittel:                  "Byggesak \x01 Storgata 1",
		ReferanseEksternNoekkel: &fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: "sak-1"},
	}}
	b, err := a.Marshal()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s", b)
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <arkivmelding xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
	//   <system>grunnmur</system>
	//   <antallFiler>0</antallFiler>
	//   <mappe xsi:type="saksmappe">
	//     <tittel>Byggesak � Storgata 1</tittel>
	//     <referanseEksternNoekkel>
	//       <fagsystem xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1">grunnmur</fagsystem>
	//       <noekkel xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1">sak-1</noekkel>
	//     </referanseEksternNoekkel>
	//   </mappe>
	// </arkivmelding>
}

// A fagsystem finds its case again by the key it gave it, without storing
// the archive's ids: innsyn.sok on mappeEksternNoekkel.
func ExampleSokEksternNoekkel() {
	s := fiksarkiv.SokEksternNoekkel("grunnmur", "saksmappe", fiksarkiv.Noekler,
		fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: "sak-2026-17"})
	b, err := s.Marshal()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "felt") || strings.Contains(line, "noekkel>") || strings.Contains(line, "responstype") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	// Output:
	// <responstype>noekler</responstype>
	// <noekkel>sak-2026-17</noekkel>
	// <felt>mappeEksternNoekkel</felt>
}
