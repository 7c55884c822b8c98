package archivetest

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
)

// Config chooses what Cases generates.
type Config struct {
	Cases       int    // number of cases
	DocsPerCase int    // document files per case, spread over its journal entries
	Seed        uint64 // same seed, same data
	// Year is the case year; default 2025.
	Year int
	// Hostile puts XML-special characters, characters XML 1.0 forbids,
	// invalid UTF-8, emoji and 10,000-character titles into the texts.
	Hostile bool
}

// Classes are the two classes the cases use.
const (
	ClassByggesak         = "byggesak"
	ClassSkjenkebevilling = "skjenkebevilling"
)

// Extract returns the archive metadata the generated cases fit under: a
// municipality's case archive with the two classes.
func Extract() archive.Extract {
	t0 := time.Date(2020, 1, 1, 8, 0, 0, 0, civil.Oslo)
	t1 := time.Date(2026, 1, 15, 16, 0, 0, 0, civil.Oslo)
	return archive.Extract{
		Archive: archive.Arkiv{
			SystemID: "6f1b0c2e-8d4a-4c1e-9a55-000000000001",
			Title:    "Eksempel kommune – sakarkiv for digitale tjenester",
			Creators: []archive.Arkivskaper{{ID: "974760673", Name: "Eksempel kommune"}},
			Created:  t0, CreatedBy: "arkivadmin", Finished: t1, FinishedBy: "arkivadmin",
		},
		Part: archive.Arkivdel{
			SystemID: "6f1b0c2e-8d4a-4c1e-9a55-000000000002",
			Title:    "Digitale tjenester",
			Created:  t0, CreatedBy: "arkivadmin", Finished: t1, FinishedBy: "arkivadmin",
		},
		Classification: archive.Klassifikasjonssystem{
			SystemID: "6f1b0c2e-8d4a-4c1e-9a55-000000000003",
			Type:     "Funksjonsbasert, hierarkisk",
			Title:    "Tjenester",
			Created:  t0, CreatedBy: "arkivadmin",
			Classes: []archive.Klasse{
				{SystemID: "6f1b0c2e-8d4a-4c1e-9a55-000000000004", ID: ClassByggesak, Title: "Byggesaker", Created: t0, CreatedBy: "arkivadmin"},
				{SystemID: "6f1b0c2e-8d4a-4c1e-9a55-000000000005", ID: ClassSkjenkebevilling, Title: "Serverings- og skjenkebevillinger", Created: t0, CreatedBy: "arkivadmin"},
			},
		},
		SystemName: "grunnmur archive demo",
	}
}

// IDs returns a deterministic systemID source (random version-4 UUIDs from
// the seed) for archive.Options.NewID.
func IDs(seed uint64) func() string {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	return func() string { return uuidFrom(rng) }
}

func uuidFrom(rng *rand.Rand) string {
	var b [16]byte
	a, c := rng.Uint64(), rng.Uint64()
	for i := range 8 {
		b[i] = byte(a >> (8 * i))
		b[8+i] = byte(c >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[x>>4], hex[x&0xf])
	}
	return string(out)
}

var (
	firstNames = []string{"Ola", "Kari", "Per", "Ingrid", "Lars", "Sigrid", "Ole", "Anne", "Jonas", "Nora", "Emil", "Sofie", "Håkon", "Åse", "Bjørn", "Mette", "Øystein", "Liv"}
	lastNames  = []string{"Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Bakken", "Sæther", "Løken", "Ødegård"}
	streets    = []string{"Storgata", "Kirkeveien", "Thereses gate", "Trondheimsveien", "Bogstadveien", "Grønlandsleiret", "Markveien", "Sognsveien", "Ullevålsveien", "Kongsveien", "Bygdøy allé", "Holmenkollveien"}
	towns      = []struct{ code, town string }{{"0150", "OSLO"}, {"0182", "OSLO"}, {"0355", "OSLO"}, {"0463", "OSLO"}, {"0557", "OSLO"}, {"0650", "OSLO"}, {"0772", "OSLO"}}
	venues     = []string{"Kafé", "Bistro", "Pub", "Restaurant", "Vinbar", "Brasseri", "Bar"}
	venueNames = []string{"Fjord", "Nordlys", "Havna", "Torget", "Løvetann", "Elgen", "Sjøboden", "Bryggen", "Solsiden", "Måken"}
	buildings  = []string{"tilbygg til enebolig", "garasje", "bruksendring fra kontor til bolig", "riving av uthus", "terrasse", "fasadeendring", "tomannsbolig", "anneks"}
	officers   = []string{"kari.saksbehandler", "per.saksbehandler", "ingrid.saksbehandler", "jonas.saksbehandler"}
	hostile    = []string{`<b>"Tom & Jerry's"</b>`, "]]>", "a\x00b\x01c\x1f", "bad \xff\xfe utf-8", "\uFFFE\uFFFF", "emoji 🏠🍺🇳🇴", "line\r\nbreak\ttab", "&amp; &#0; &lt;"}
)

type gen struct {
	cfg      Config
	rng      *rand.Rand
	ids      func() string
	journal  int // journalsekvensnummer within the year
	start    time.Time
	interval time.Duration
}

func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func (g *gen) person() string { return pick(g, firstNames) + " " + pick(g, lastNames) }

func (g *gen) text(s string) string {
	if !g.cfg.Hostile {
		return s
	}
	switch g.rng.IntN(4) {
	case 0:
		return s
	case 1:
		return s + " " + pick(g, hostile)
	case 2:
		return strings.Repeat(s+" ", 10000/(len(s)+1)+1)[:10000] + pick(g, hostile)
	default:
		return pick(g, hostile) + " " + s
	}
}

// Cases yields cfg.Cases closed cases, half of them building permits and half
// liquor licences, in case-number order (the classes interleave).
func Cases(cfg Config) iter.Seq2[*archive.Saksmappe, error] {
	return func(yield func(*archive.Saksmappe, error) bool) {
		if cfg.Year == 0 {
			cfg.Year = 2025
		}
		g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0xca5e)), ids: IDs(cfg.Seed)}
		g.start = time.Date(cfg.Year, 1, 2, 8, 0, 0, 0, civil.Oslo)
		span := time.Date(cfg.Year, 10, 1, 0, 0, 0, 0, civil.Oslo).Sub(g.start)
		g.interval = span / time.Duration(max(cfg.Cases, 1))
		for i := range cfg.Cases {
			if !yield(g.nextCase(i), nil) {
				return
			}
		}
	}
}

func (g *gen) nextCase(i int) *archive.Saksmappe {
	created := g.start.Add(time.Duration(i) * g.interval).Add(time.Duration(g.rng.IntN(8*3600)) * time.Second)
	officer := pick(g, officers)
	c := &archive.Saksmappe{
		SystemID:  g.ids(),
		Year:      g.cfg.Year,
		Sequence:  i + 1,
		Created:   created,
		CreatedBy: officer,
		Date:      civil.DateOf(created),
		Officer:   officer,
		Status:    "Avsluttet",
	}
	var steps []step
	if i%2 == 0 {
		steps = g.byggesak(c)
	} else {
		steps = g.skjenkebevilling(c)
	}
	t := created
	for n, s := range steps {
		if n > 0 {
			t = t.Add(time.Duration(2+g.rng.IntN(20)) * 24 * time.Hour)
		}
		g.journal++
		r := archive.Journalpost{
			SystemID: g.ids(), Created: t, CreatedBy: officer,
			Title: s.title, PublicTitle: s.public, Screening: s.screening,
			Parties: s.parties, Year: g.cfg.Year, Sequence: g.journal, Number: n + 1,
			Type: s.kind, Status: "Arkivert", Date: civil.DateOf(t),
		}
		if s.kind == "Inngående dokument" {
			r.Received = t.Add(-time.Duration(g.rng.IntN(3600)) * time.Second)
		} else if s.kind == "Utgående dokument" {
			r.Sent = t
		}
		c.Records = append(c.Records, r)
	}
	for d := range g.cfg.DocsPerCase {
		r := &c.Records[d%len(c.Records)]
		num := len(r.Documents) + 1
		role, typ := "Hoveddokument", steps[d%len(steps)].docType
		if num > 1 {
			role, typ = "Vedlegg", "Vedlegg"
		}
		title := r.Title
		if num > 1 {
			title = "Vedlegg " + strconv.Itoa(num-1) + " til " + r.Title
		}
		pdf := PDF(title + " (" + c.Number() + ")")
		r.Documents = append(r.Documents, archive.Dokument{
			SystemID: g.ids(), ObjectID: g.ids(), Type: typ, Title: g.text(title),
			Created: r.Created, CreatedBy: officer, Role: role, Number: num,
			Format: "fmt/95", Ext: ".pdf",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pdf)), nil },
		})
	}
	last := c.Records[len(c.Records)-1].Created
	c.Finished = last.Add(time.Duration(1+g.rng.IntN(48)) * time.Hour)
	c.FinishedBy = officer
	c.Changes = append(c.Changes, archive.Endring{
		Ref: c.SystemID, Field: "saksstatus", Changed: c.Finished, ChangedBy: officer,
		Previous: "Under behandling", New: "Avsluttet",
	})
	if g.rng.IntN(5) == 0 {
		r := &c.Records[0]
		c.Changes = append(c.Changes, archive.Endring{
			Ref: r.SystemID, Field: "tittel", Changed: r.Created.Add(time.Hour), ChangedBy: officer,
			Previous: g.text("Søknad"), New: r.Title,
		})
	}
	return c
}

type step struct {
	kind, title, public, docType string
	screening                    *archive.Skjerming
	parties                      []archive.Korrespondansepart
}

func (g *gen) address() (string, string, string) {
	t := pick(g, towns)
	return pick(g, streets) + " " + strconv.Itoa(1+g.rng.IntN(120)), t.code, t.town
}

func (g *gen) byggesak(c *archive.Saksmappe) []step {
	c.ClassID = ClassByggesak
	c.AdministrativeUnit = "Plan- og bygningsetaten"
	applicant := g.text(g.person())
	addr, code, town := g.address()
	what := pick(g, buildings)
	gnr, bnr := 1+g.rng.IntN(300), 1+g.rng.IntN(900)
	c.Title = g.text(fmt.Sprintf("%s - gnr. %d bnr. %d - %s", addr, gnr, bnr, what))
	c.Parties = []archive.Part{{Name: applicant, Role: "Tiltakshaver"}}
	p := archive.Korrespondansepart{Name: applicant, Address: addr, PostalCode: code, PostTown: town}
	in, out := p, p
	in.Type, out.Type = "Avsender", "Mottaker"
	steps := []step{
		{kind: "Inngående dokument", title: g.text("Søknad om tillatelse til tiltak - " + what), docType: "Søknad", parties: []archive.Korrespondansepart{in}},
	}
	if g.rng.IntN(3) == 0 {
		neighbour := g.person()
		steps = append(steps, step{kind: "Inngående dokument", title: g.text("Nabomerknad til søknad om " + what), docType: "Brev",
			parties: []archive.Korrespondansepart{{Type: "Avsender", Name: neighbour}}})
	}
	steps = append(steps, step{kind: "Utgående dokument", title: g.text("Vedtak - tillatelse til " + what), docType: "Vedtak", parties: []archive.Korrespondansepart{out}})
	return steps
}

func (g *gen) skjenkebevilling(c *archive.Saksmappe) []step {
	c.ClassID = ClassSkjenkebevilling
	c.AdministrativeUnit = "Næringsetaten"
	venue := pick(g, venues) + " " + pick(g, venueNames) + " AS"
	manager := g.person()
	addr, code, town := g.address()
	c.Title = g.text("Søknad om skjenkebevilling - " + venue + " - " + addr)
	c.Parties = []archive.Part{{ID: strconv.Itoa(910000000 + g.rng.IntN(89999999)), Name: venue, Role: "Søker"}}
	screened := &archive.Skjerming{Restriction: "13", Authority: "Offl. § 13 jf. fvl. § 13 første ledd nr. 1", Metadata: []string{"tittel", "korrespondansepart"}}
	steps := []step{
		{kind: "Inngående dokument", title: g.text("Søknad om skjenkebevilling - " + venue), docType: "Søknad",
			parties: []archive.Korrespondansepart{{Type: "Avsender", Name: venue, Address: addr, PostalCode: code, PostTown: town}}},
		{kind: "Utgående dokument", title: g.text("Forespørsel om uttalelse - skjenkebevilling - " + venue), docType: "Brev",
			parties: []archive.Korrespondansepart{{Type: "Mottaker", Name: "Oslo politidistrikt"}, {Type: "Kopimottaker", Name: "Skatteetaten"}}},
		{kind: "Inngående dokument", title: g.text("Uttalelse om vandel - styrer " + manager), public: "Uttalelse om vandel - styrer *****",
			docType: "Brev", screening: screened,
			parties: []archive.Korrespondansepart{{Type: "Avsender", Name: "Oslo politidistrikt"}, {Type: "Kopimottaker", Name: manager, Screened: true}}},
		{kind: "Utgående dokument", title: g.text("Vedtak - skjenkebevilling - " + venue), docType: "Vedtak",
			parties: []archive.Korrespondansepart{{Type: "Mottaker", Name: venue, Address: addr, PostalCode: code, PostTown: town}}},
	}
	return steps
}

// PDF returns a small, well-formed one-page PDF showing text (non-ASCII
// characters become '?').
func PDF(text string) []byte {
	var t strings.Builder
	for _, r := range text {
		switch {
		case r == '(' || r == ')' || r == '\\':
			t.WriteByte('\\')
			t.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			t.WriteRune(r)
		default:
			t.WriteByte('?')
		}
		if t.Len() > 200 {
			break
		}
	}
	stream := "BT /F1 12 Tf 72 720 Td (" + t.String() + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length " + strconv.Itoa(len(stream)) + " >>\nstream\n" + stream + "\nendstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
