package svarut

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

// Shipment is a forsendelse: one letter to one recipient, with its documents.
// The field comments give the SvarUT names.
type Shipment struct {
	Title     string    // tittel, at most 1000 characters
	Recipient Recipient // mottaker
	Documents []Document
	Links     []Link // lenker, at most 5

	// DigitalOnly (kunDigitalLevering) forbids print. SvarUT then gives no
	// guarantee of delivery; the status ends IKKE_LEVERT when no digital
	// channel took the letter.
	DigitalOnly bool
	// Print (utskriftskonfigurasjon) configures a printed letter.
	Print PrintConfig
	// RequireLevel4 (krevNiva4Innlogging) is the security level: the
	// recipient must log in on level 4 (ID-porten "high") to open it. SvarUT
	// then requires the documents to be encrypted (Encrypted).
	RequireLevel4 bool
	Encrypted     bool // kryptert: the files are CMS-encrypted to SvarUT's key
	// Confidential (taushetsbelagtPost) sends to Altinn's service for
	// confidential mail when the recipient is an organisation.
	Confidential bool

	ExternalRef    string // eksternReferanse, at most 100; the outbox relies on it being unique
	CorrelationID  string // korrelasjonsid, at most 100
	Type           string // forsendelsestype, at most 100
	SendingSystem  string // avgivendeSystem, at most 100
	SendingActor   string // avgivendeSystemAktor
	AccountingCode string // konteringskode: ^[a-zA-Z0-9_\-.øæåØÆÅ]{0,20}$

	ReplyTo         *Address         // svarSendesTil: a full postal address
	ReplyViaLink    bool             // svarPaForsendelseLink
	InReplyTo       string           // svarPaForsendelse: the id of the shipment this answers
	ExposedTo       []string         // eksponertFor: fødselsnummer or orgnr allowed to download
	ArchiveMetadata *ArchiveMetadata // metadataFraAvleverendeSystem
	ImportMetadata  *ImportMetadata  // metadataForImport
}

// Recipient is a person by fødselsnummer or an organisation by orgnr, with a
// postal address for print. Set at most one of Person and Org; a recipient
// with neither can only get paper.
type Recipient struct {
	Person  ident.Fodselsnummer
	Org     ident.Orgnr
	Address Address
}

// Address is a postal address (Adresse in the spec, without digitalId).
type Address struct {
	Name       string // navn
	Line1      string // adresselinje1
	Line2      string
	Line3      string
	PostalCode string // postnummer, required for a Norwegian address when print is possible
	PostTown   string // poststed, required when print is possible
	Country    string // land; empty means Norway
}

// Document is one file of a shipment. Ref is what the DocumentSource opens to
// read its bytes; only the metadata is stored, never the content.
type Document struct {
	Name     string // filnavn: unique, at most 226 characters, none of *:"\/<>|?
	MimeType string // application/pdf is the only type that can be printed
	Ref      string // the caller's reference for DocumentSource.Open
	// Size is the length in bytes when known. Validate checks the print limit
	// with it; the client counts the bytes as it sends in any case.
	Size             int64
	Sign             bool   // skalSigneres: at most one document, a PDF
	DocumentType     string // dokumentType (Noark 4 type)
	GiroPages        []int  // giroarkSider
	ExcludeFromPrint bool   // skalEkskluderesFraUtskrift
	Sensitive        bool   // inneholderPersonsensitivInformasjon
	Extra            []KeyValue
}

// Link is a link shown in the digital mailbox (Lenke).
type Link struct {
	URL, Text, Lead string // url, tekst, ledetekst
}

// KeyValue is the spec's Metadata entry.
type KeyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// PrintConfig is utskriftskonfigurasjon.
type PrintConfig struct {
	Color    bool // utskriftMedFarger
	TwoSided bool // tosidig
}

// ArchiveMetadata is metadataFraAvleverendeSystem: the Noark 5 metadata of
// the sending case system. Its fields keep the Noark names (see the
// glossary in the package doc), except Title, DocumentDate and Extra.
type ArchiveMetadata struct {
	MappeID              string     `json:"mappeId,omitempty"`
	MappeSystemID        string     `json:"mappeSystemId,omitempty"`
	Saksaar              int        `json:"saksaar,omitempty"`
	Sakssekvensnummer    int64      `json:"sakssekvensnummer,omitempty"`
	SystemID             string     `json:"systemId,omitempty"`
	RegistreringsID      string     `json:"registreringsId,omitempty"`
	Journalpostnummer    int64      `json:"journalpostnummer,omitempty"`
	Journalaar           int        `json:"journalaar,omitempty"`
	Journalsekvensnummer int64      `json:"journalsekvensnummer,omitempty"`
	Journalposttype      string     `json:"journalposttype,omitempty"`
	Journalstatus        string     `json:"journalstatus,omitempty"`
	Journaldato          *time.Time `json:"journaldato,omitempty"`
	DocumentDate         *time.Time `json:"dokumentetsDato,omitempty"`
	Title                string     `json:"tittel,omitempty"`
	Saksbehandler        string     `json:"saksbehandler,omitempty"`
	Extra                []KeyValue `json:"ekstraMetadata,omitempty"`
}

// ImportMetadata is metadataForImport: the receiving system's own Noark
// keys, named as in ArchiveMetadata.
type ImportMetadata struct {
	MappeID              string     `json:"mappeId,omitempty"`
	MappeSystemID        string     `json:"mappeSystemId,omitempty"`
	Saksaar              int        `json:"saksaar,omitempty"`
	Sakssekvensnummer    int64      `json:"sakssekvensnummer,omitempty"`
	SystemID             string     `json:"systemId,omitempty"`
	RegistreringsID      string     `json:"registreringsId,omitempty"`
	Journalpostnummer    int64      `json:"journalpostnummer,omitempty"`
	Journalaar           int        `json:"journalaar,omitempty"`
	Journalsekvensnummer int64      `json:"journalsekvensnummer,omitempty"`
	Journalposttype      string     `json:"journalposttype,omitempty"`
	Journalstatus        string     `json:"journalstatus,omitempty"`
	DocumentDate         *time.Time `json:"dokumentetsDato,omitempty"`
	Title                string     `json:"tittel,omitempty"`
}

// wire types: the spec's Forsendelse JSON.
type wireAdresse struct {
	Navn          string `json:"navn"`
	DigitalID     string `json:"digitalId,omitempty"`
	Adresselinje1 string `json:"adresselinje1,omitempty"`
	Adresselinje2 string `json:"adresselinje2,omitempty"`
	Adresselinje3 string `json:"adresselinje3,omitempty"`
	Postnummer    string `json:"postnummer,omitempty"`
	Poststed      string `json:"poststed,omitempty"`
	Land          string `json:"land,omitempty"`
}

type wireDokument struct {
	Filnavn                    string     `json:"filnavn"`
	MimeType                   string     `json:"mimeType"`
	SkalSigneres               bool       `json:"skalSigneres,omitempty"`
	DokumentType               string     `json:"dokumentType,omitempty"`
	GiroarkSider               []int      `json:"giroarkSider,omitempty"`
	SkalEkskluderesFraUtskrift bool       `json:"skalEkskluderesFraUtskrift,omitempty"`
	EkstraMetadata             []KeyValue `json:"ekstraMetadata,omitempty"`
	Sensitiv                   bool       `json:"inneholderPersonsensitivInformasjon,omitempty"`
}

type wireLenke struct {
	URL       string `json:"url"`
	Tekst     string `json:"tekst"`
	Ledetekst string `json:"ledetekst,omitempty"`
}

type wireUtskrift struct {
	UtskriftMedFarger bool `json:"utskriftMedFarger"`
	Tosidig           bool `json:"tosidig"`
}

type wireForsendelse struct {
	Tittel                 string           `json:"tittel"`
	Mottaker               wireAdresse      `json:"mottaker"`
	EksponertFor           []string         `json:"eksponertFor,omitempty"`
	AvgivendeSystem        string           `json:"avgivendeSystem,omitempty"`
	AvgivendeSystemAktor   string           `json:"avgivendeSystemAktor,omitempty"`
	Konteringskode         string           `json:"konteringskode,omitempty"`
	KunDigitalLevering     bool             `json:"kunDigitalLevering"`
	Kryptert               bool             `json:"kryptert,omitempty"`
	Utskriftskonfigurasjon *wireUtskrift    `json:"utskriftskonfigurasjon,omitempty"`
	KrevNiva4Innlogging    bool             `json:"krevNiva4Innlogging,omitempty"`
	MetadataFraAvleverende *ArchiveMetadata `json:"metadataFraAvleverendeSystem,omitempty"`
	MetadataForImport      *ImportMetadata  `json:"metadataForImport,omitempty"`
	SvarSendesTil          *wireAdresse     `json:"svarSendesTil,omitempty"`
	SvarPaForsendelse      string           `json:"svarPaForsendelse,omitempty"`
	Dokumenter             []wireDokument   `json:"dokumenter"`
	Lenker                 []wireLenke      `json:"lenker,omitempty"`
	Forsendelsestype       string           `json:"forsendelsestype,omitempty"`
	EksternReferanse       string           `json:"eksternReferanse,omitempty"`
	Korrelasjonsid         string           `json:"korrelasjonsid,omitempty"`
	SvarPaForsendelseLink  bool             `json:"svarPaForsendelseLink,omitempty"`
	TaushetsbelagtPost     bool             `json:"taushetsbelagtPost,omitempty"`
}

func wireAddr(a Address, digitalID string) wireAdresse {
	return wireAdresse{Navn: a.Name, DigitalID: digitalID, Adresselinje1: a.Line1, Adresselinje2: a.Line2,
		Adresselinje3: a.Line3, Postnummer: a.PostalCode, Poststed: a.PostTown, Land: a.Country}
}

func (w wireAdresse) address() Address {
	return Address{Name: w.Navn, Line1: w.Adresselinje1, Line2: w.Adresselinje2, Line3: w.Adresselinje3,
		PostalCode: w.Postnummer, PostTown: w.Poststed, Country: w.Land}
}

// MarshalShipment encodes s as the forsendelse JSON that SvarUT expects,
// with the recipient's fødselsnummer in clear (digitalId): it is an API
// payload and a database document, never a log line. Documents' Ref and Size
// are kept in an extension the outbox uses ("grunnmur" member); SvarUT
// ignores unknown members.
func MarshalShipment(s *Shipment) ([]byte, error) {
	w := s.wire()
	type ext struct {
		Refs  []string `json:"refs"`
		Sizes []int64  `json:"sizes"`
	}
	var e ext
	for _, d := range s.Documents {
		e.Refs = append(e.Refs, d.Ref)
		e.Sizes = append(e.Sizes, d.Size)
	}
	return json.Marshal(struct {
		wireForsendelse
		Grunnmur ext `json:"grunnmur"`
	}{w, e})
}

func (s *Shipment) wire() wireForsendelse {
	digitalID := ""
	switch {
	case !s.Recipient.Person.IsZero():
		digitalID = s.Recipient.Person.Reveal()
	case s.Recipient.Org != "":
		digitalID = string(s.Recipient.Org)
	}
	w := wireForsendelse{
		Tittel: s.Title, Mottaker: wireAddr(s.Recipient.Address, digitalID), EksponertFor: s.ExposedTo,
		AvgivendeSystem: s.SendingSystem, AvgivendeSystemAktor: s.SendingActor, Konteringskode: s.AccountingCode,
		KunDigitalLevering: s.DigitalOnly, Kryptert: s.Encrypted, KrevNiva4Innlogging: s.RequireLevel4,
		MetadataFraAvleverende: s.ArchiveMetadata, MetadataForImport: s.ImportMetadata,
		SvarPaForsendelse: s.InReplyTo, Forsendelsestype: s.Type, EksternReferanse: s.ExternalRef,
		Korrelasjonsid: s.CorrelationID, SvarPaForsendelseLink: s.ReplyViaLink, TaushetsbelagtPost: s.Confidential,
		Dokumenter: []wireDokument{},
	}
	if s.Print != (PrintConfig{}) {
		w.Utskriftskonfigurasjon = &wireUtskrift{UtskriftMedFarger: s.Print.Color, Tosidig: s.Print.TwoSided}
	}
	if s.ReplyTo != nil {
		a := wireAddr(*s.ReplyTo, "")
		w.SvarSendesTil = &a
	}
	for _, d := range s.Documents {
		w.Dokumenter = append(w.Dokumenter, wireDokument{
			Filnavn: d.Name, MimeType: d.MimeType, SkalSigneres: d.Sign, DokumentType: d.DocumentType,
			GiroarkSider: d.GiroPages, SkalEkskluderesFraUtskrift: d.ExcludeFromPrint, EkstraMetadata: d.Extra,
			Sensitiv: d.Sensitive,
		})
	}
	for _, l := range s.Links {
		w.Lenker = append(w.Lenker, wireLenke{URL: l.URL, Tekst: l.Text, Ledetekst: l.Lead})
	}
	return w
}

// UnmarshalShipment decodes forsendelse JSON (as MarshalShipment writes it, or
// as a sender posts it to SvarUT). A digitalId of 11 digits becomes the
// recipient's fødselsnummer, one of 9 digits the orgnr.
func UnmarshalShipment(data []byte) (*Shipment, error) {
	var w struct {
		wireForsendelse
		Grunnmur *struct {
			Refs  []string `json:"refs"`
			Sizes []int64  `json:"sizes"`
		} `json:"grunnmur"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: forsendelse json: %v", ErrBadShipment, err)
	}
	s := &Shipment{
		Title: w.Tittel, ExposedTo: w.EksponertFor, SendingSystem: w.AvgivendeSystem,
		SendingActor: w.AvgivendeSystemAktor, AccountingCode: w.Konteringskode, DigitalOnly: w.KunDigitalLevering,
		Encrypted: w.Kryptert, RequireLevel4: w.KrevNiva4Innlogging, ArchiveMetadata: w.MetadataFraAvleverende,
		ImportMetadata: w.MetadataForImport, InReplyTo: w.SvarPaForsendelse, Type: w.Forsendelsestype,
		ExternalRef: w.EksternReferanse, CorrelationID: w.Korrelasjonsid, ReplyViaLink: w.SvarPaForsendelseLink,
		Confidential: w.TaushetsbelagtPost,
	}
	s.Recipient.Address = w.Mottaker.address()
	switch id := w.Mottaker.DigitalID; len(id) {
	case 0:
	case 11:
		f, err := ident.ParseFodselsnummer(id)
		if err != nil {
			return nil, fmt.Errorf("%w: mottaker.digitalId: %v", ErrBadShipment, err)
		}
		s.Recipient.Person = f
	case 9:
		o, err := ident.ParseOrgnr(id)
		if err != nil {
			return nil, fmt.Errorf("%w: mottaker.digitalId: %v", ErrBadShipment, err)
		}
		s.Recipient.Org = o
	default:
		return nil, fmt.Errorf("%w: mottaker.digitalId is neither a fødselsnummer nor an orgnr", ErrBadShipment)
	}
	if u := w.Utskriftskonfigurasjon; u != nil {
		s.Print = PrintConfig{Color: u.UtskriftMedFarger, TwoSided: u.Tosidig}
	}
	if w.SvarSendesTil != nil {
		a := w.SvarSendesTil.address()
		s.ReplyTo = &a
	}
	for i, d := range w.Dokumenter {
		doc := Document{Name: d.Filnavn, MimeType: d.MimeType, Sign: d.SkalSigneres, DocumentType: d.DokumentType,
			GiroPages: d.GiroarkSider, ExcludeFromPrint: d.SkalEkskluderesFraUtskrift, Extra: d.EkstraMetadata,
			Sensitive: d.Sensitiv}
		if g := w.Grunnmur; g != nil {
			if i < len(g.Refs) {
				doc.Ref = g.Refs[i]
			}
			if i < len(g.Sizes) {
				doc.Size = g.Sizes[i]
			}
		}
		s.Documents = append(s.Documents, doc)
	}
	for _, l := range w.Lenker {
		s.Links = append(s.Links, Link{URL: l.URL, Text: l.Tekst, Lead: l.Ledetekst})
	}
	return s, nil
}

// Clone returns a deep copy of s.
func (s *Shipment) Clone() *Shipment {
	c := *s
	c.Documents = append([]Document(nil), s.Documents...)
	for i := range c.Documents {
		c.Documents[i].GiroPages = append([]int(nil), s.Documents[i].GiroPages...)
		c.Documents[i].Extra = append([]KeyValue(nil), s.Documents[i].Extra...)
	}
	c.Links = append([]Link(nil), s.Links...)
	c.ExposedTo = append([]string(nil), s.ExposedTo...)
	if s.ReplyTo != nil {
		a := *s.ReplyTo
		c.ReplyTo = &a
	}
	if s.ArchiveMetadata != nil {
		m := *s.ArchiveMetadata
		m.Extra = append([]KeyValue(nil), m.Extra...)
		c.ArchiveMetadata = &m
	}
	if s.ImportMetadata != nil {
		m := *s.ImportMetadata
		c.ImportMetadata = &m
	}
	return &c
}
