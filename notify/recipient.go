package notify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/registry/krr"
)

// Contacts looks a person up in Kontakt- og reservasjonsregisteret; a
// *krr.Client is one.
type Contacts interface {
	Person(ctx context.Context, person ident.Fodselsnummer) (*krr.Person, error)
}

// DefaultStaleAfter is how old KRR contact information may be before it is
// not used to notify: KRR marks contact information not updated or verified
// in the last 18 months KAN_IKKE_VARSLES (eForvaltningsforskriften).
const DefaultStaleAfter = 18 * 30 * 24 * time.Hour

// Refusal is why a person gets no notification. It is a result, not an
// error: the law, not a fault, stopped it, and the caller sends on paper or
// not at all.
type Refusal string

// The refusals.
const (
	// Reserved: the person has reserved against digital communication from
	// the public sector, and the caller stated no legal basis.
	Reserved Refusal = "reserved"
	// NotActive: KRR has no active entry for the person (IKKE_REGISTRERT,
	// SLETTET).
	NotActive Refusal = "not-active"
	// NoContact: KRR holds no address for the channel.
	NoContact Refusal = "no-contact"
	// Stale: KRR's address is older than the staleness limit, and the caller
	// did not opt in to stale contact information.
	Stale Refusal = "stale"
)

// ErrNoContacts is a Notice to a person from a Sender without Contacts.
var ErrNoContacts = errors.New("notify: no contact register (Config.Contacts) to look the person up in")

// Notice is a templated notification to one citizen.
type Notice struct {
	// Key is the idempotency key.
	Key string
	// Template names the template; its channel is the notice's channel.
	Template string
	Values   map[string]string
	// Local, when set, gives more values in the notice's language, once
	// Notify knows it (dates and times with i18n.Lang); they are added to
	// Values.
	Local func(lang string) map[string]string
	// Lang is nb, nn or en; "" means the person's language in KRR, or nb.
	Lang string
	// Person, when set, is looked up in KRR, and KRR's rules apply: a
	// reserved person, one with no active entry, and stale contact
	// information give a Refusal.
	Person ident.Fodselsnummer
	// To is an address the citizen gave the service (on Min side). It is
	// used instead of KRR's address; with Person set, the reservation still
	// applies.
	To Address
	// ReplyTo is an e-mail's Reply-To.
	ReplyTo Address
	// LegalBasis, when set, lets a notice reach a person who has reserved
	// against digital communication: the law that requires it, in words the
	// audit log keeps ("forvaltningsloven § 16, varsel om vedtak"). The
	// exception is logged with the key and template, never the person.
	LegalBasis string
	// UseStale opts in to KRR contact information past the staleness limit.
	UseStale bool
	// SendAt and Condition schedule a reminder, as in Message.
	SendAt    time.Time
	Condition string
}

// Result is what Notify did: a Record when the notice was sent or queued, or
// a Refusal when KRR's rules stopped it.
type Result struct {
	Record  *Record
	Refused Refusal
}

// Notify renders a notice's template and sends it, to the address the
// citizen gave or the one KRR holds, within KRR's rules. A refusal is the
// Result's Refused, not an error.
func (s *Sender) Notify(ctx context.Context, n Notice) (Result, error) {
	if s.cfg.Templates == nil {
		return Result{}, fmt.Errorf("%w: no templates", ErrConfig)
	}
	t, ok := s.cfg.Templates.Template(n.Template)
	if !ok {
		return Result{}, fmt.Errorf("%w: %q", ErrUnknownTemplate, text.Truncate(text.Clean(n.Template), 64))
	}
	to, lang := n.To, n.Lang
	if !n.Person.IsZero() {
		if s.cfg.Contacts == nil {
			return Result{}, ErrNoContacts
		}
		p, err := s.cfg.Contacts.Person(ctx, n.Person)
		if err != nil {
			return Result{}, err
		}
		addr, refused, err := s.contact(p, t.Channel, n)
		if err != nil || refused != "" {
			return Result{Refused: refused}, err
		}
		if to.IsZero() {
			to = addr
		}
		if lang == "" && slices.Contains(Langs, p.Spraak) {
			lang = p.Spraak
		}
		if p.Reserved() {
			s.cfg.Logger.InfoContext(ctx, "notify: reservation set aside on a stated legal basis",
				"key", n.Key, "template", n.Template, "channel", string(t.Channel), "legal_basis", n.LegalBasis)
		}
	}
	if to.IsZero() {
		return Result{}, fmt.Errorf("%w: neither an address nor a person", ErrInvalid)
	}
	if lang == "" {
		lang = "nb"
	}
	values := n.Values
	if n.Local != nil {
		values = maps.Clone(values)
		if values == nil {
			values = map[string]string{}
		}
		maps.Copy(values, n.Local(lang))
	}
	r, err := s.cfg.Templates.Render(n.Template, lang, values)
	if err != nil {
		return Result{}, err
	}
	m := r.Message(n.Key, to)
	m.ReplyTo, m.SendAt, m.Condition = n.ReplyTo, n.SendAt, n.Condition
	rec, err := s.Send(ctx, m)
	return Result{Record: rec}, err
}

// contact applies KRR's rules to p for channel c.
func (s *Sender) contact(p *krr.Person, c Channel, n Notice) (Address, Refusal, error) {
	if p.Status != krr.StatusAktiv {
		return Address{}, NotActive, nil
	}
	if p.Reserved() && n.LegalBasis == "" {
		return Address{}, Reserved, nil
	}
	if !n.To.IsZero() {
		return n.To, "", nil
	}
	k := p.Kontaktinformasjon
	if k == nil {
		return Address{}, NoContact, nil
	}
	raw, changed, verified := k.Epostadresse, k.EpostadresseOppdatert.Time, k.EpostadresseSistVerifisert.Time
	if c == SMS {
		raw, changed, verified = k.Mobiltelefonnummer, k.MobiltelefonnummerOppdatert.Time, k.MobiltelefonnummerSistVerifisert.Time
	}
	if raw == "" {
		return Address{}, NoContact, nil
	}
	if !n.UseStale && s.stale(p, changed, verified) {
		return Address{}, Stale, nil
	}
	a, err := ParseAddress(c, raw)
	if err != nil {
		return Address{}, "", fmt.Errorf("krr's address: %w", err)
	}
	return a, "", nil
}

// stale reports whether contact information last changed or verified at the
// later of changed and verified is past the limit, or KRR says so itself.
func (s *Sender) stale(p *krr.Person, changed, verified time.Time) bool {
	if p.Varslingsstatus != krr.KanVarsles {
		return true
	}
	last := changed
	if verified.After(last) {
		last = verified
	}
	return !last.IsZero() && s.cfg.Now().Sub(last) > s.cfg.StaleAfter
}
