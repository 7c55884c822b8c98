package fiksarkivtest

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fiksarkiv"
)

const nsAM = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"

type amXML struct {
	System       string                 `xml:"system"`
	AntallFiler  int                    `xml:"antallFiler"`
	Mappe        *fiksarkiv.Saksmappe   `xml:"mappe"`
	Registrering *fiksarkiv.Journalpost `xml:"registrering"`
}

func (a *Archive) dispatch(typ string, doc []byte, files map[string][]byte) *reply {
	switch typ {
	case fiksarkiv.TypeArkivmeldingOpprett:
		return a.opprett(doc, files)
	case fiksarkiv.TypeArkivmeldingOppdater:
		return a.oppdater(doc)
	case fiksarkiv.TypeDokumentobjektOpprett:
		return a.dokumentobjekt(doc, files)
	case fiksarkiv.TypeAvskrivningOpprett:
		return a.avskrivning(doc)
	case fiksarkiv.TypeAvskrivningSlett:
		return a.avskrivningSlett(doc)
	case fiksarkiv.TypeSok:
		return a.sok(doc)
	case fiksarkiv.TypeMappeHent, fiksarkiv.TypeRegistreringHent, fiksarkiv.TypeDokumentfilHent:
		return a.hent(typ, doc)
	}
	return feil(fiksarkiv.Ugyldigforespoersel, "a message type the archive does not support")
}

func (a *Archive) opprett(doc []byte, files map[string][]byte) *reply {
	var x amXML
	if err := decodeRoot(doc, "arkivmelding", nsAM, &x); err != nil {
		return feil(fiksarkiv.Ugyldigforespoersel, err.Error())
	}
	if msg := checkArkivmelding(&x, files); msg != "" {
		return feil(fiksarkiv.Ugyldigforespoersel, msg)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	k := &fiksarkiv.Kvittering{}
	if x.Mappe != nil {
		m, existing := a.mappe(x.Mappe)
		k.Mappe = &fiksarkiv.MappeKvittering{Saksmappe: true, SystemID: m.SystemID, MappeID: mappeID(m), OpprettetDato: m.Opprettet,
			ReferanseEksternNoekkel: m.Saksmappe.ReferanseEksternNoekkel, Existing: existing, Saksaar: m.Saksaar,
			Sakssekvensnummer: m.Sakssekvensnummer, Saksdato: m.Saksdato}
	}
	if x.Registrering != nil {
		parent := a.findMappe(x.Registrering.ReferanseForelderMappe)
		if parent == nil && x.Registrering.ReferanseForelderMappe != nil {
			return feil(fiksarkiv.Ikkefunnet, "referanseForelderMappe names no mappe")
		}
		j, existing := a.journalpost(x.Registrering, parent, files)
		k.Registrering = kvitteringOf(j, existing)
	}
	b, err := k.Marshal()
	if err != nil {
		return feil(fiksarkiv.Serverfeil, "the kvittering")
	}
	return &reply{typ: fiksarkiv.TypeArkivmeldingOpprettKvittering, payload: b, name: fiksarkiv.KvitteringFile}
}

// checkArkivmelding checks what the XSD requires and Go can see: the
// required fields, and that every referanseDokumentfil is in the ASiC-E.
func checkArkivmelding(x *amXML, files map[string][]byte) string {
	if strings.TrimSpace(x.System) == "" {
		return "system is required"
	}
	if x.Mappe == nil && x.Registrering == nil {
		return "neither mappe nor registrering"
	}
	if m := x.Mappe; m != nil && (m.Tittel == "" || m.ReferanseEksternNoekkel != nil && m.ReferanseEksternNoekkel.Noekkel == "") {
		return "mappe: tittel is required"
	}
	if r := x.Registrering; r != nil {
		if r.Tittel == "" || r.Journalposttype.Kode == "" {
			return "registrering: tittel and journalposttype are required"
		}
		for _, d := range r.Dokumentbeskrivelse {
			for _, o := range d.Dokumentobjekt {
				if _, ok := files[o.ReferanseDokumentfil]; !ok {
					return "dokumentobjekt: the ASiC-E lacks a file it names"
				}
			}
		}
	}
	return ""
}

func mappeID(m *Mappe) string {
	if m.MappeID != "" {
		return m.MappeID
	}
	return fmt.Sprintf("%d/%d", m.Saksaar, m.Sakssekvensnummer)
}

// mappe finds the saksmappe by its key or creates it, with the next number.
func (a *Archive) mappe(s *fiksarkiv.Saksmappe) (*Mappe, bool) {
	if k := s.ReferanseEksternNoekkel; k != nil {
		if m := a.findMappe(&fiksarkiv.ReferanseTilMappe{ReferanseEksternNoekkel: k}); m != nil {
			return m, true
		}
	}
	now := a.now()
	y := civil.DateOf(now.In(civil.Oslo)).Year
	a.seq[y]++
	m := &Mappe{SystemID: uuid.NewString(), Saksmappe: *s, Saksaar: y, Sakssekvensnummer: a.seq[y],
		Saksdato: civil.DateOf(now.In(civil.Oslo)), Opprettet: now}
	a.mapper = append(a.mapper, m)
	return m, false
}

func (a *Archive) findMappe(r *fiksarkiv.ReferanseTilMappe) *Mappe {
	if r == nil {
		return nil
	}
	for _, m := range a.mapper {
		k := m.Saksmappe.ReferanseEksternNoekkel
		switch {
		case r.SystemID != "" && r.SystemID == m.SystemID,
			r.MappeID != "" && r.MappeID == mappeID(m),
			r.Saksnummer != nil && r.Saksnummer.Saksaar == m.Saksaar && r.Saksnummer.Sakssekvensnummer == m.Sakssekvensnummer,
			r.ReferanseEksternNoekkel != nil && k != nil && *k == *r.ReferanseEksternNoekkel:
			return m
		}
	}
	return nil
}

func (a *Archive) findJournalpost(r *fiksarkiv.ReferanseTilRegistrering) *Journalpost {
	for _, j := range a.poster {
		k := j.Journalpost.ReferanseEksternNoekkel
		switch {
		case r.SystemID != "" && r.SystemID == j.SystemID,
			r.RegistreringsID != "" && r.RegistreringsID == j.Journalpost.RegistreringsID,
			r.Journalnummer != nil && r.Journalnummer.Journalaar == j.Journalaar && r.Journalnummer.Journalsekvensnummer == j.Journalsekvensnummer,
			r.ReferanseEksternNoekkel != nil && k != nil && *k == *r.ReferanseEksternNoekkel:
			return j
		}
	}
	return nil
}

// journalpost finds the journalpost by its key or creates it in parent.
func (a *Archive) journalpost(r *fiksarkiv.Journalpost, parent *Mappe, files map[string][]byte) (*Journalpost, bool) {
	if k := r.ReferanseEksternNoekkel; k != nil {
		if j := a.findJournalpost(&fiksarkiv.ReferanseTilRegistrering{ReferanseEksternNoekkel: k}); j != nil {
			return j, true
		}
	}
	now := a.now()
	y := civil.DateOf(now.In(civil.Oslo)).Year
	a.jseq[y]++
	j := &Journalpost{SystemID: uuid.NewString(), Journalpost: *r, Journalaar: y, Journalsekvensnummer: a.jseq[y],
		Journaldato: civil.DateOf(now.In(civil.Oslo)), Opprettet: now, Journalpostnummer: 1}
	if parent != nil {
		j.MappeSystemID = parent.SystemID
		for _, o := range a.poster {
			if o.MappeSystemID == parent.SystemID {
				j.Journalpostnummer++
			}
		}
	}
	for i, d := range r.Dokumentbeskrivelse {
		doc := Dokument{SystemID: uuid.NewString(), Nummer: i + 1, Tittel: d.Tittel}
		for _, o := range d.Dokumentobjekt {
			doc.Objekter = append(doc.Objekter, Objekt{SystemID: uuid.NewString(), Filnavn: o.Filnavn, Content: files[o.ReferanseDokumentfil]})
		}
		j.Dokumenter = append(j.Dokumenter, doc)
	}
	a.poster = append(a.poster, j)
	return j, false
}

func kvitteringOf(j *Journalpost, existing bool) *fiksarkiv.RegistreringKvittering {
	k := &fiksarkiv.RegistreringKvittering{Journalpost: true, SystemID: j.SystemID, OpprettetDato: j.Opprettet,
		RegistreringsID: j.Journalpost.RegistreringsID, ReferanseEksternNoekkel: j.Journalpost.ReferanseEksternNoekkel, Existing: existing,
		Journalaar: j.Journalaar, Journalsekvensnummer: j.Journalsekvensnummer, Journalpostnummer: j.Journalpostnummer,
		Journalposttype: &j.Journalpost.Journalposttype, Journalstatus: j.Journalpost.Journalstatus, Journaldato: j.Journaldato}
	for _, d := range j.Dokumenter {
		dk := fiksarkiv.DokumentKvittering{SystemID: d.SystemID, Dokumentnummer: d.Nummer}
		for _, o := range d.Objekter {
			dk.Objekter = append(dk.Objekter, o.SystemID)
		}
		k.Dokumenter = append(k.Dokumenter, dk)
	}
	return k
}

func empty(typ string) *reply { return &reply{typ: typ} }

func (a *Archive) oppdater(doc []byte) *reply {
	var x struct {
		Mappe        *fiksarkiv.SaksmappeOppdatering   `xml:"mappeOppdateringer"`
		Registrering *fiksarkiv.JournalpostOppdatering `xml:"registreringOppdateringer"`
	}
	if err := decodeRoot(doc, "arkivmeldingOppdatering", fiksarkiv.NSOppdater, &x); err != nil {
		return feil(fiksarkiv.Ugyldigforespoersel, err.Error())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case x.Mappe != nil:
		m := a.findMappe(&x.Mappe.ReferanseTilMappe)
		if m == nil {
			return feil(fiksarkiv.Ikkefunnet, "referanseTilMappe names no mappe")
		}
		if x.Mappe.Tittel != "" {
			m.Saksmappe.Tittel = x.Mappe.Tittel
		}
		if x.Mappe.Saksstatus != nil {
			m.Saksmappe.Saksstatus = x.Mappe.Saksstatus
		}
		if x.Mappe.Saksansvarlig != nil {
			m.Saksmappe.Saksansvarlig = x.Mappe.Saksansvarlig
		}
		if k := x.Mappe.ReferanseEksternNoekkel; k != nil {
			m.Saksmappe.ReferanseEksternNoekkel = k
		}
	case x.Registrering != nil:
		j := a.findJournalpost(&x.Registrering.ReferanseTilRegistrering)
		if j == nil {
			return feil(fiksarkiv.Ikkefunnet, "referanseTilRegistrering names no registrering")
		}
		if k := x.Registrering.ReferanseEksternNoekkel; k != nil {
			j.Journalpost.ReferanseEksternNoekkel = k
		}
		if x.Registrering.Tittel != "" {
			j.Journalpost.Tittel = x.Registrering.Tittel
		}
	default:
		return feil(fiksarkiv.Ugyldigforespoersel, "neither mappe nor registrering")
	}
	return empty(fiksarkiv.TypeArkivmeldingOppdaterKvittering)
}

func (a *Archive) dokumentobjekt(doc []byte, files map[string][]byte) *reply {
	var x struct {
		Ref fiksarkiv.ReferanseTilDokumentbeskrivelse `xml:"referanseTilDokumentbeskrivelse"`
		Obj struct {
			Filnavn string `xml:"filnavn"`
			Ref     string `xml:"referanseDokumentfil"`
		} `xml:"dokumentobjekt"`
	}
	if err := decodeRoot(doc, "dokumentobjektOpprett", fiksarkiv.NSDokumentobjekt, &x); err != nil {
		return feil(fiksarkiv.Ugyldigforespoersel, err.Error())
	}
	content, ok := files[x.Obj.Ref]
	if x.Obj.Filnavn == "" || !ok {
		return feil(fiksarkiv.Ugyldigforespoersel, "dokumentobjekt: filnavn and a referanseDokumentfil in the ASiC-E are required")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	d := a.findDokument(&x.Ref)
	if d == nil {
		return feil(fiksarkiv.Ikkefunnet, "referanseTilDokumentbeskrivelse names no dokumentbeskrivelse")
	}
	o := Objekt{SystemID: uuid.NewString(), Filnavn: x.Obj.Filnavn, Content: content}
	d.Objekter = append(d.Objekter, o)
	b, _ := (&fiksarkiv.DokumentobjektKvittering{SystemID: o.SystemID, OpprettetDato: a.now()}).Marshal()
	return &reply{typ: fiksarkiv.TypeDokumentobjektOpprettKvittering, payload: b, name: fiksarkiv.DokumentobjektKvitteringFile}
}

// findDokument finds a dokumentbeskrivelse by its systemID, by its
// journalpost's number, or, as KS' case does, by its journalpost's key
// (the first document).
func (a *Archive) findDokument(r *fiksarkiv.ReferanseTilDokumentbeskrivelse) *Dokument {
	for _, j := range a.poster {
		for i := range j.Dokumenter {
			if r.SystemID != "" && j.Dokumenter[i].SystemID == r.SystemID {
				return &j.Dokumenter[i]
			}
		}
	}
	var j *Journalpost
	switch {
	case r.JournalpostDokumentnummer != nil:
		j = a.findJournalpost(&r.JournalpostDokumentnummer.ReferanseTilJournalpost)
		if j != nil && r.JournalpostDokumentnummer.Dokumentnummer >= 1 && r.JournalpostDokumentnummer.Dokumentnummer <= len(j.Dokumenter) {
			return &j.Dokumenter[r.JournalpostDokumentnummer.Dokumentnummer-1]
		}
		return nil
	case r.ReferanseEksternNoekkel != nil:
		j = a.findJournalpost(&fiksarkiv.ReferanseTilRegistrering{ReferanseEksternNoekkel: r.ReferanseEksternNoekkel})
	}
	if j == nil || len(j.Dokumenter) == 0 {
		return nil
	}
	return &j.Dokumenter[0]
}

// avskrivningsmaater are the codes of Noark 5's avskrivningsmåte list.
var avskrivningsmaater = map[string]bool{"BU": true, "TLF": true, "TE": true, "TO": true, "TA": true, "TB": true, "BE": true}

func (a *Archive) avskrivning(doc []byte) *reply {
	var x struct {
		Av struct {
			Dato  civil.Date                `xml:"avskrivningsdato"`
			Av    fiksarkiv.Identifikatorer `xml:"avskrevetAv"`
			Maate fiksarkiv.Kode            `xml:"avskrivningsmaate"`
		} `xml:"avskrivning"`
		Ref  fiksarkiv.ReferanseTilRegistrering `xml:"referanseTilJournalpost"`
		Part string                             `xml:"korrespondansepartID"`
	}
	if err := decodeRoot(doc, "nyAvskrivning", fiksarkiv.NSAvskrivning, &x); err != nil {
		return feil(fiksarkiv.Ugyldigforespoersel, err.Error())
	}
	if !avskrivningsmaater[x.Av.Maate.Kode] {
		return feil(fiksarkiv.Ugyldigforespoersel, "avskrivningsmaate is not a code of the archive's list")
	}
	if x.Part == "" || x.Av.Dato.IsZero() {
		return feil(fiksarkiv.Ugyldigforespoersel, "korrespondansepartID and avskrivningsdato are required")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	j := a.findJournalpost(&x.Ref)
	if j == nil {
		return feil(fiksarkiv.Ikkefunnet, "referanseTilJournalpost names no journalpost")
	}
	j.Avskrivninger = append(j.Avskrivninger, fiksarkiv.Avskrivning{Avskrivningsdato: x.Av.Dato, AvskrevetAv: x.Av.Av,
		Avskrivningsmaate: x.Av.Maate, ReferanseTilJournalpost: x.Ref, KorrespondansepartID: x.Part})
	return empty(fiksarkiv.TypeAvskrivningOpprettKvittering)
}

func (a *Archive) avskrivningSlett(doc []byte) *reply {
	var x struct {
		Ref  fiksarkiv.ReferanseTilRegistrering `xml:"referanseTilJournalpost"`
		Part string                             `xml:"korrespondansepartID"`
	}
	if err := decodeRoot(doc, "slettAvskrivning", fiksarkiv.NSAvskrivningSlett, &x); err != nil {
		return feil(fiksarkiv.Ugyldigforespoersel, err.Error())
	}
	if x.Part == "" {
		return feil(fiksarkiv.Ugyldigforespoersel, "korrespondansepartID is required")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	j := a.findJournalpost(&x.Ref)
	if j == nil {
		return feil(fiksarkiv.Ikkefunnet, "referanseTilJournalpost names no journalpost")
	}
	// Removing what is not there changes nothing: a retried slett must
	// not fail because the first one succeeded.
	for i, av := range j.Avskrivninger {
		if av.KorrespondansepartID == x.Part {
			j.Avskrivninger = append(j.Avskrivninger[:i], j.Avskrivninger[i+1:]...)
			break
		}
	}
	return empty(fiksarkiv.TypeAvskrivningSlettKvittering)
}

func (m *Mappe) treff(objekt string) fiksarkiv.Treff {
	return fiksarkiv.Treff{Objekt: objekt, SystemID: m.SystemID, MappeID: mappeID(m), Tittel: m.Saksmappe.Tittel,
		ReferanseEksternNoekkel: m.Saksmappe.ReferanseEksternNoekkel, Saksaar: m.Saksaar, Sakssekvensnummer: m.Sakssekvensnummer,
		Saksdato: m.Saksdato, Saksstatus: m.Saksmappe.Saksstatus, OpprettetDato: m.Opprettet}
}

func (j *Journalpost) treff(objekt string) fiksarkiv.Treff {
	return fiksarkiv.Treff{Objekt: objekt, SystemID: j.SystemID, RegistreringsID: j.Journalpost.RegistreringsID, Tittel: j.Journalpost.Tittel,
		ReferanseEksternNoekkel: j.Journalpost.ReferanseEksternNoekkel, Journalaar: j.Journalaar, Journalsekvensnummer: j.Journalsekvensnummer,
		Journalpostnummer: j.Journalpostnummer, Journalposttype: &j.Journalpost.Journalposttype, Journalstatus: j.Journalpost.Journalstatus,
		Journaldato: j.Journaldato, OpprettetDato: j.Opprettet}
}

func (a *Archive) hent(typ string, doc []byte) *reply {
	var x struct {
		System   string                             `xml:"system"`
		Mappe    fiksarkiv.ReferanseTilMappe        `xml:"referanseTilMappe"`
		Reg      fiksarkiv.ReferanseTilRegistrering `xml:"referanseTilRegistrering"`
		SystemID string                             `xml:"dokumentfilNoekkel>systemID"`
	}
	root := map[string][2]string{fiksarkiv.TypeMappeHent: {"mappeHent", fiksarkiv.NSMappeHent},
		fiksarkiv.TypeRegistreringHent: {"registreringHent", fiksarkiv.NSRegistreringHent},
		fiksarkiv.TypeDokumentfilHent:  {"dokumentfilHent", fiksarkiv.NSDokumentfilHent}}[typ]
	if err := decodeRoot(doc, root[0], root[1], &x); err != nil {
		return feil(fiksarkiv.Ugyldigforespoersel, err.Error())
	}
	if x.System == "" {
		return feil(fiksarkiv.Ugyldigforespoersel, "system is required")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var t fiksarkiv.Treff
	switch typ {
	case fiksarkiv.TypeMappeHent:
		m := a.findMappe(&x.Mappe)
		if m == nil {
			return feil(fiksarkiv.Ikkefunnet, "referanseTilMappe names no mappe")
		}
		t = m.treff("saksmappe")
	case fiksarkiv.TypeRegistreringHent:
		j := a.findJournalpost(&x.Reg)
		if j == nil {
			return feil(fiksarkiv.Ikkefunnet, "referanseTilRegistrering names no registrering")
		}
		t = j.treff("journalpost")
	default:
		for _, j := range a.poster {
			for _, d := range j.Dokumenter {
				for _, o := range d.Objekter {
					if o.SystemID == x.SystemID {
						return &reply{typ: fiksarkiv.TypeDokumentfilHentResultat, payload: o.Content, name: o.Filnavn}
					}
				}
			}
		}
		return feil(fiksarkiv.Ikkefunnet, "dokumentfilNoekkel names no file")
	}
	b, err := fiksarkiv.MarshalHentResultat(typ+".resultat", &t)
	if err != nil {
		return feil(fiksarkiv.Serverfeil, "the result")
	}
	name := map[string]string{fiksarkiv.TypeMappeHent: fiksarkiv.MappeHentResultatFile, fiksarkiv.TypeRegistreringHent: fiksarkiv.RegistreringHentResultatFile}[typ]
	return &reply{typ: typ + ".resultat", payload: b, name: name}
}

type sokXML struct {
	System string `xml:"system"`
	Take   int    `xml:"take"`
	Skip   int    `xml:"skip"`
	Def    struct {
		Type        string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
		Responstype string `xml:"responstype"`
		Parametere  []struct {
			Operator string   `xml:"operator"`
			Strings  []string `xml:"sokVerdier>stringvalues>value"`
			Dates    []string `xml:"sokVerdier>datevalues>value"`
			Key      *struct {
				Fagsystem string `xml:"fagsystem"`
				Noekkel   string `xml:"noekkel"`
			} `xml:"sokVerdier>eksternNoekkel"`
			Felt string `xml:"felt"`
		} `xml:"parametere"`
	} `xml:"sokdefinisjon"`
}

func (a *Archive) sok(doc []byte) *reply {
	var x sokXML
	if err := decodeRoot(doc, "sok", fiksarkiv.NSSok, &x); err != nil {
		return feil(fiksarkiv.Ugyldigforespoersel, err.Error())
	}
	r := fiksarkiv.Responstype(x.Def.Responstype)
	objekt := strings.TrimSuffix(x.Def.Type[strings.IndexByte(x.Def.Type, ':')+1:], "Sokdefinisjon")
	if x.System == "" || x.Take < 1 || (r != fiksarkiv.Utvidet && r != fiksarkiv.Minimum && r != fiksarkiv.Noekler) {
		return feil(fiksarkiv.Ugyldigforespoersel, "system, take and responstype are required")
	}
	a.mu.Lock()
	hits, msg := a.search(objekt, &x)
	a.mu.Unlock()
	if msg != "" {
		return feil(fiksarkiv.Ugyldigforespoersel, msg)
	}
	res := &fiksarkiv.Sokeresultat{Responstype: r, System: "fiksarkivtest", Take: x.Take, Skip: x.Skip, Count: len(hits), Resultattype: objekt}
	if x.Skip < len(hits) {
		hits = hits[x.Skip:]
	} else {
		hits = nil
	}
	if len(hits) > x.Take {
		hits = hits[:x.Take]
	}
	res.Treff = hits
	b, err := res.Marshal()
	if err != nil {
		return feil(fiksarkiv.Serverfeil, "the result")
	}
	return &reply{typ: r.ResultType(), payload: b, name: fiksarkiv.ResultatFile}
}

// search evaluates the parameters (all must hold) on the objects of the
// kind; a field it does not know is an invalid request.
func (a *Archive) search(objekt string, x *sokXML) ([]fiksarkiv.Treff, string) {
	var out []fiksarkiv.Treff
	switch objekt {
	case "mappe", "saksmappe":
		for _, m := range a.mapper {
			ok, msg := matchAll(x, func(felt string) (string, *fiksarkiv.EksternNoekkel, civil.Date, bool) {
				switch felt {
				case "mappeTittel":
					return m.Saksmappe.Tittel, nil, civil.Date{}, true
				case "mappeEksternNoekkel":
					return "", m.Saksmappe.ReferanseEksternNoekkel, civil.Date{}, true
				case "sakSaksdato":
					return "", nil, m.Saksdato, true
				}
				return "", nil, civil.Date{}, false
			})
			if msg != "" {
				return nil, msg
			}
			if ok {
				out = append(out, m.treff(objekt))
			}
		}
	case "registrering", "journalpost":
		for _, j := range a.poster {
			ok, msg := matchAll(x, func(felt string) (string, *fiksarkiv.EksternNoekkel, civil.Date, bool) {
				switch felt {
				case "registreringTittel":
					return j.Journalpost.Tittel, nil, civil.Date{}, true
				case "registreringEksternId":
					return "", j.Journalpost.ReferanseEksternNoekkel, civil.Date{}, true
				}
				return "", nil, civil.Date{}, false
			})
			if msg != "" {
				return nil, msg
			}
			if ok {
				out = append(out, j.treff(objekt))
			}
		}
	default:
		return nil, "the archive does not search " + objekt
	}
	return out, ""
}

type field func(felt string) (text string, key *fiksarkiv.EksternNoekkel, date civil.Date, known bool)

func matchAll(x *sokXML, get field) (bool, string) {
	all := true
	for _, p := range x.Def.Parametere {
		text, key, date, known := get(p.Felt)
		if !known {
			return false, "the archive cannot search on felt " + strconv.Quote(p.Felt)
		}
		ok, msg := match(p.Operator, text, key, date, p.Strings, p.Dates, p.Key)
		if msg != "" {
			return false, msg
		}
		all = all && ok
	}
	return all, ""
}

func match(op, text string, key *fiksarkiv.EksternNoekkel, date civil.Date, strs, dates []string, k *struct {
	Fagsystem string `xml:"fagsystem"`
	Noekkel   string `xml:"noekkel"`
}) (bool, string) {
	switch {
	case k != nil:
		return op == "equal" && key != nil && key.Fagsystem == k.Fagsystem && key.Noekkel == k.Noekkel, ""
	case len(dates) > 0:
		var ds []civil.Date
		for _, s := range dates {
			t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", strings.TrimSuffix(s, "Z"), civil.Oslo)
			if err != nil {
				return false, "a datevalue is not an xs:dateTime"
			}
			ds = append(ds, civil.DateOf(t))
		}
		if op == "between" && len(ds) == 2 {
			return !date.IsZero() && !date.Before(ds[0]) && !date.After(ds[1]), ""
		}
		return op == "equal" && date == ds[0], ""
	case len(strs) > 0:
		for _, s := range strs {
			if op == "wildcardquery" && wildcard(strings.ToLower(s), strings.ToLower(text)) || op == "equal" && s == text {
				return true, ""
			}
		}
		return false, ""
	}
	return false, "sokVerdier is empty"
}

// wildcard matches a pattern with * (any run) and ? (one character).
func wildcard(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcard(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcard(p[1:], s[1:])
	}
	return s != "" && s[0] == p[0] && wildcard(p[1:], s[1:])
}

var _ = xml.Name{}
