package fiksarkiv

import (
	"encoding/xml"
	"io"
	"strconv"
	"time"
)

// An archive writes the results; a fagsystem only reads them. The writers
// are here so the fake archive (fiksarkivtest) and the tests produce
// replies from the same Treff the readers return, valid against the XSD of
// their message type.

// node is an element to write: its namespace, name, text or children.
type node struct {
	ns, name, text string
	xsiType        string
	attrs          []xml.Attr
	kids           []node
}

func (n node) add(kids ...node) node { n.kids = append(n.kids, kids...); return n }

func leaf(ns, name, text string) node { return node{ns: ns, name: name, text: text} }

func (n node) encode(e *xml.Encoder, root bool) error {
	start := xml.StartElement{Name: xml.Name{Space: n.ns, Local: n.name}}
	if root {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "xmlns:xsi"}, Value: nsXSI})
	}
	if n.xsiType != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: n.xsiType})
	}
	start.Attr = append(start.Attr, n.attrs...)
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if n.text != "" {
		if err := e.EncodeToken(xml.CharData(n.text)); err != nil {
			return err
		}
	}
	for _, k := range n.kids {
		if err := k.encode(e, false); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func writeNode(w io.Writer, n node) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	e := xml.NewEncoder(w)
	e.Indent("", "  ")
	if err := n.encode(e, true); err != nil {
		return err
	}
	if err := e.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Marshal writes resultat.xml for the search result's Responstype. A Treff
// of an utvidet or minimum result needs the fields the schema requires of
// its Objekt (systemID, tittel, the case or journal numbers; for utvidet
// also opprettetDato and opprettetAv, and a journalpost's forelder).
func (r *Sokeresultat) Marshal() ([]byte, error) {
	var root, ns, item, sns string
	switch r.Responstype {
	case Utvidet:
		root, ns, item, sns = "sokeresultat", NSSokResultatUtvidet, "resultat", NSArkivstruktur
	case Minimum:
		root, ns, item, sns = "sokeresultatMinimum", NSSokResultatMinimum, "resultatMinimum", NSArkivstrukturMinimum
	case Noekler:
		root, ns, item, sns = "sokeresultatNoekler", NSSokResultatNoekler, "resultatNoekler", NSArkivstrukturNoekler
	default:
		return nil, &FieldError{Field: "responstype", Reason: "neither utvidet, minimum nor noekler"}
	}
	if !sokObjekter[r.Resultattype] {
		return nil, &FieldError{Field: "resultattype", Reason: "not a result type of the schema"}
	}
	liste := node{ns: ns, name: "resultatListe"}
	for i, t := range r.Treff {
		if t.Objekt != r.Resultattype {
			return nil, &FieldError{Field: "resultatListe[" + strconv.Itoa(i+1) + "]", Reason: "not a " + r.Resultattype}
		}
		o := t.node(sns, r.Responstype) // the object's element is the result's, its content arkivstruktur's
		o.ns = ns
		liste = liste.add(node{ns: ns, name: item}.add(o))
	}
	doc := node{ns: ns, name: root}.add(leaf(ns, "system", r.System), leaf(ns, "take", strconv.Itoa(r.Take)),
		leaf(ns, "skip", strconv.Itoa(r.Skip)), leaf(ns, "count", strconv.Itoa(r.Count)),
		leaf(ns, "resultattype", r.Resultattype), liste)
	return marshalBy(func(w io.Writer) error { return writeNode(w, doc) })
}

// MarshalHentResultat writes the payload of innsyn.mappe.hent.resultat
// (t a mappe or saksmappe) or innsyn.registrering.hent.resultat (a
// registrering or journalpost), in the utvidet form. A saksmappe is
// written as <mappe xsi:type="saksmappe">, where KS' conformance cases look
// for it; a journalpost as <journalpost>.
func MarshalHentResultat(messageType string, t *Treff) ([]byte, error) {
	var doc node
	name := t.Objekt
	switch {
	case messageType == TypeMappeHentResultat && (t.Objekt == "mappe" || t.Objekt == "saksmappe"):
		doc = node{ns: NSMappeHentResultat, name: "mappeHentResultat",
			attrs: []xml.Attr{{Name: xml.Name{Local: "xmlns:arkivstruktur"}, Value: NSArkivstruktur}}}
		name = "mappe"
	case messageType == TypeRegistreringHentResultat && (t.Objekt == "registrering" || t.Objekt == "journalpost"):
		doc = node{ns: NSRegistreringHentResultat, name: "registreringHentResultat"}
	default:
		return nil, &FieldError{Field: "objekt", Reason: "not what " + messageType + " returns"}
	}
	n := t.node(NSArkivstruktur, Utvidet)
	n.ns, n.name = doc.ns, name
	if t.Objekt == "saksmappe" {
		n.xsiType = "arkivstruktur:saksmappe"
	}
	doc = doc.add(n)
	return marshalBy(func(w io.Writer) error { return writeNode(w, doc) })
}

func kodeNode(ns, name string, k *Kode, def string) node {
	if k == nil {
		k = &Kode{Kode: def}
	}
	n := node{ns: ns, name: name}.add(leaf(NSMetadata, "kode", k.Kode))
	if k.Beskrivelse != "" {
		n = n.add(leaf(NSMetadata, "beskrivelse", k.Beskrivelse))
	}
	return n
}

func keyNode(ns string, k *EksternNoekkel) node {
	return node{ns: ns, name: "referanseEksternNoekkel"}.add(leaf(NSMetadata, "fagsystem", k.Fagsystem), leaf(NSMetadata, "noekkel", k.Noekkel))
}

func identNode(ns, name, navn string) node {
	if navn == "" {
		navn = "ukjent"
	}
	return node{ns: ns, name: name}.add(leaf(NSMetadata, "navn", navn))
}

func dateTimeText(t time.Time) string { return t.Format(time.RFC3339) }

// node writes t in the schema's order for its Objekt in namespace ns
// (arkivstruktur, its minimum or its noekler form).
func (t *Treff) node(ns string, r Responstype) node {
	n := node{ns: ns, name: t.Objekt}
	mappe := t.Objekt == "mappe" || t.Objekt == "saksmappe"
	sak := t.Objekt == "saksmappe" || t.Objekt == "journalpostMedSaksmappe"
	jp := t.Objekt == "journalpost" || t.Objekt == "journalpostMedSaksmappe"
	if r == Noekler {
		n = n.add(leaf(ns, "systemID", t.SystemID))
		if mappe && t.MappeID != "" {
			n = n.add(leaf(ns, "mappeID", t.MappeID))
		}
		if t.ReferanseEksternNoekkel != nil && t.Objekt != "dokumentbeskrivelse" {
			n = n.add(keyNode(ns, t.ReferanseEksternNoekkel))
		}
		if sak {
			n = n.add(node{ns: ns, name: "saksnummer"}.add(leaf(NSMetadata, "saksaar", strconv.Itoa(t.Saksaar)),
				leaf(NSMetadata, "sakssekvensnummer", strconv.Itoa(t.Sakssekvensnummer))))
		}
		if jp {
			n = n.add(leaf(ns, "journalaar", strconv.Itoa(t.Journalaar)), leaf(ns, "journalsekvensnummer", strconv.Itoa(t.Journalsekvensnummer)),
				leaf(ns, "journalpostnummer", strconv.Itoa(t.Journalpostnummer)))
		}
		return n
	}
	n = n.add(leaf(ns, "systemID", t.SystemID))
	if mappe {
		n = n.add(leaf(ns, "mappeID", t.MappeID), leaf(ns, "tittel", t.Tittel))
		if r == Utvidet {
			n = n.add(leaf(ns, "opprettetDato", dateTimeText(t.OpprettetDato)), leaf(ns, "opprettetAv", "fiksarkiv"))
		}
		if t.ReferanseEksternNoekkel != nil {
			n = n.add(keyNode(ns, t.ReferanseEksternNoekkel))
		}
	} else {
		if r == Utvidet {
			n = n.add(leaf(ns, "opprettetDato", dateTimeText(t.OpprettetDato)), leaf(ns, "opprettetAv", "fiksarkiv"))
			n = n.add(kodeNode(ns, "arkivdel", nil, "arkiv"))
		}
		if t.RegistreringsID != "" {
			n = n.add(leaf(ns, "registreringsID", t.RegistreringsID))
		}
		n = n.add(leaf(ns, "tittel", t.Tittel))
		if r == Utvidet && t.ReferanseEksternNoekkel != nil {
			n = n.add(keyNode(ns, t.ReferanseEksternNoekkel))
		}
	}
	if jp {
		n = n.add(leaf(ns, "journalaar", strconv.Itoa(t.Journalaar)), leaf(ns, "journalsekvensnummer", strconv.Itoa(t.Journalsekvensnummer)),
			leaf(ns, "journalpostnummer", strconv.Itoa(t.Journalpostnummer)), kodeNode(ns, "journalposttype", t.Journalposttype, "I"),
			kodeNode(ns, "journalstatus", t.Journalstatus, "J"), leaf(ns, "journaldato", t.Journaldato.String()))
	}
	if sak {
		n = n.add(leaf(ns, "saksaar", strconv.Itoa(t.Saksaar)), leaf(ns, "sakssekvensnummer", strconv.Itoa(t.Sakssekvensnummer)),
			leaf(ns, "saksdato", t.Saksdato.String()), identNode(ns, "administrativEnhet", ""), identNode(ns, "saksansvarlig", ""))
		if t.Objekt == "saksmappe" || r == Minimum {
			n = n.add(kodeNode(ns, "saksstatus", t.Saksstatus, "B"))
		}
	}
	return n
}

// Marshal writes arkivmelding-kvittering.xml (what an archive answers to
// arkivmelding.opprett), valid against its V1 XSD.
func (k *Kvittering) Marshal() ([]byte, error) {
	const ns = NSKvittering
	doc := node{ns: ns, name: "arkivmeldingKvittering"}
	oe := func(existing bool) node {
		if existing {
			return leaf(ns, "opprettetEllerEksisterende", "Eksisterende")
		}
		return leaf(ns, "opprettetEllerEksisterende", "Opprettet")
	}
	if m := k.Mappe; m != nil {
		n := node{ns: ns, name: "mappeKvittering", xsiType: "saksmappeKvittering"}.add(leaf(ns, "systemID", m.SystemID))
		if m.MappeID != "" {
			n = n.add(leaf(ns, "mappeID", m.MappeID))
		}
		n = n.add(leaf(ns, "opprettetDato", dateTimeText(m.OpprettetDato)))
		if m.ReferanseEksternNoekkel != nil {
			n = n.add(keyNode(ns, m.ReferanseEksternNoekkel))
		}
		n = n.add(oe(m.Existing), leaf(ns, "saksaar", strconv.Itoa(m.Saksaar)),
			leaf(ns, "sakssekvensnummer", strconv.Itoa(m.Sakssekvensnummer)), leaf(ns, "saksdato", m.Saksdato.String()))
		doc = doc.add(n)
	}
	if r := k.Registrering; r != nil {
		n := node{ns: ns, name: "registreringKvittering", xsiType: "journalpostKvittering"}.add(leaf(ns, "systemID", r.SystemID),
			leaf(ns, "opprettetDato", dateTimeText(r.OpprettetDato)))
		for _, d := range r.Dokumenter {
			dn := node{ns: ns, name: "dokumentbeskrivelseKvittering"}.add(leaf(ns, "systemID", d.SystemID),
				leaf(ns, "dokumentnummer", strconv.Itoa(d.Dokumentnummer)))
			for _, o := range d.Objekter {
				dn = dn.add(node{ns: ns, name: "dokumentobjekt"}.add(leaf(ns, "systemID", o)))
			}
			n = n.add(dn)
		}
		if r.RegistreringsID != "" {
			n = n.add(leaf(ns, "registreringsID", r.RegistreringsID))
		}
		if r.ReferanseEksternNoekkel != nil {
			n = n.add(keyNode(ns, r.ReferanseEksternNoekkel))
		}
		n = n.add(oe(r.Existing), leaf(ns, "journalaar", strconv.Itoa(r.Journalaar)),
			leaf(ns, "journalsekvensnummer", strconv.Itoa(r.Journalsekvensnummer)), leaf(ns, "journalpostnummer", strconv.Itoa(r.Journalpostnummer)),
			kodeNode(ns, "journalposttype", r.Journalposttype, "I"), kodeNode(ns, "journalstatus", r.Journalstatus, "J"),
			leaf(ns, "journaldato", r.Journaldato.String()))
		doc = doc.add(n)
	}
	if len(doc.kids) == 0 {
		return nil, &FieldError{Field: "arkivmeldingKvittering", Reason: "neither mappe nor registrering"}
	}
	return marshalBy(func(w io.Writer) error { return writeNode(w, doc) })
}

// Marshal writes feilmelding.xml for the feilmelding's Kind.
func (f *Feilmelding) Marshal() ([]byte, error) {
	ns, ok := feilNS[f.Kind]
	if !ok || f.FeilID == "" {
		return nil, &FieldError{Field: "feilId", Reason: "a kind and a feilId are required"}
	}
	doc := node{ns: ns, name: string(f.Kind)}.add(leaf(NSFeilmelding, "feilId", f.FeilID), leaf(NSFeilmelding, "feilmelding", f.Message))
	return marshalBy(func(w io.Writer) error { return writeNode(w, doc) })
}

// Type is the feilmelding's message type.
func (f *Feilmelding) Type() string { return "no.ks.fiks.arkiv.v1.feilmelding." + string(f.Kind) }

// Marshal writes dokumentobjekt-kvittering.xml.
func (k *DokumentobjektKvittering) Marshal() ([]byte, error) {
	const ns = NSDokumentobjektKvittering
	doc := node{ns: ns, name: "dokumentobjektOpprettKvittering"}.add(leaf(ns, "systemID", k.SystemID),
		leaf(ns, "opprettetDato", dateTimeText(k.OpprettetDato)))
	if k.OpprettetAv != "" {
		doc = doc.add(leaf(ns, "opprettetAv", k.OpprettetAv))
	}
	return marshalBy(func(w io.Writer) error { return writeNode(w, doc) })
}
