package fiksio

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// AMQP headers of a Fiks IO message. Values are strings.
const (
	HeaderMeldingID       = "melding-id"
	HeaderType            = "type"
	HeaderAvsenderID      = "avsender-id"
	HeaderSvarTil         = "svar-til"
	HeaderSvarTilType     = "svar-til-type"
	HeaderDokumentlagerID = "dokumentlager-id"
	// CustomHeaderPrefix starts every custom header on the wire. The
	// Headers maps of Message and Received hold the names without it.
	CustomHeaderPrefix = "egendefinert-header."
)

// Custom headers with a meaning of their own.
const (
	// KlientMeldingID is the sender's own id of a message, reused on every
	// resend (melding-id is new each time): receivers dedup on it.
	KlientMeldingID = "klientMeldingId"
	// KlientKorrelasjonsID ties a conversation together; replies copy it.
	KlientKorrelasjonsID = "klientKorrelasjonsId"
)

// Fiks IO's own message types.
const (
	TypeTidsavbrudd = "no.ks.fiks.kvittering.tidsavbrudd"
	TypeServerfeil  = "no.ks.fiks.kvittering.serverfeil.v1"
)

// QueuePrefix starts every account's queue (and the routing key of every
// message to it): fiksio.konto.<kontoId>.
const QueuePrefix = "fiksio.konto."

// QueueName is the queue of an account.
func QueueName(konto uuid.UUID) string { return QueuePrefix + konto.String() }

// Received is a message taken from the account's queue.
type Received struct {
	MeldingID       uuid.UUID
	Type            string
	AvsenderKontoID uuid.UUID
	MottakerKontoID uuid.UUID // from the routing key
	SvarPaMelding   uuid.UUID // svar-til; uuid.Nil when not a reply
	SvarTilType     string    // set on tidsavbrudd: the type of the expired message
	DokumentlagerID uuid.UUID // the payload is in Dokumentlager; uuid.Nil when in the body
	TTL             time.Duration
	Headers         map[string]string // custom headers, without the prefix
	Resendt         bool              // the broker delivered it before

	body   []byte
	client *Client
}

// KlientMeldingID is the sender's own id of the message ("" if none).
func (m *Received) KlientMeldingID() string { return m.Headers[KlientMeldingID] }

// KlientKorrelasjonsID is the conversation's id ("" if none).
func (m *Received) KlientKorrelasjonsID() string { return m.Headers[KlientKorrelasjonsID] }

// HasPayload reports whether the message carries a payload.
func (m *Received) HasPayload() bool { return len(m.body) > 0 || m.DokumentlagerID != uuid.Nil }

// Payload streams the message's payload: the encrypted ASiC-E exactly as the
// sender sealed it, from the body or downloaded from Dokumentlager. The
// caller closes it. A message without a payload gives an empty reader.
func (m *Received) Payload(ctx context.Context) (io.ReadCloser, error) {
	if m.DokumentlagerID == uuid.Nil {
		return io.NopCloser(bytes.NewReader(m.body)), nil
	}
	if m.client == nil {
		return nil, &Error{Op: "dokumentlager", Kind: ErrConfig, Message: "message not received by a Client"}
	}
	return m.client.download(ctx, m.DokumentlagerID)
}

func (c *Client) download(ctx context.Context, id uuid.UUID) (io.ReadCloser, error) {
	const op = "dokumentlager"
	req, err := c.newRequest(ctx, op, http.MethodGet, c.url("/dokumentlager/nedlasting/"+id.String(), nil), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/octet-stream")
	resp, err := c.do(op, req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Reply returns a Message answering m: to its sender, with svarPaMelding
// set and klientKorrelasjonsId copied.
func (m *Received) Reply(typ string, payload io.Reader) Message {
	r := Message{Mottaker: m.AvsenderKontoID, Type: typ, SvarPaMelding: m.MeldingID, Payload: payload}
	if k := m.KlientKorrelasjonsID(); k != "" {
		r.Headers = map[string]string{KlientKorrelasjonsID: k}
	}
	return r
}

// ParseHeaders reads a delivery's routing key, headers and expiration as
// the protocol has them, strictly: melding-id, type and avsender-id are
// required, ids are UUIDs, every value is a string, and the receiver comes
// from the routing key. The broker's own x-* headers are ignored. A
// violation is a *HeaderError naming the header, never its value.
func ParseHeaders(routingKey string, headers map[string]any, expiration string) (*Received, error) {
	m := &Received{}
	k, ok := strings.CutPrefix(routingKey, QueuePrefix)
	if !ok {
		return nil, &HeaderError{Header: "routing key", Reason: "not " + QueuePrefix + "<kontoId>"}
	}
	var err error
	if m.MottakerKontoID, err = parseUUID(k); err != nil {
		return nil, &HeaderError{Header: "routing key", Reason: "the account is not a UUID"}
	}
	for name, raw := range headers {
		v, isStr := headerString(raw)
		if custom, ok := strings.CutPrefix(name, CustomHeaderPrefix); ok {
			if !isStr {
				return nil, &HeaderError{Header: safeName(name), Reason: "not a string"}
			}
			if custom == "" || !utf8.ValidString(custom) {
				return nil, &HeaderError{Header: safeName(name), Reason: "no name after the prefix"}
			}
			if m.Headers == nil {
				m.Headers = map[string]string{}
			}
			m.Headers[custom] = v
			continue
		}
		var dst *uuid.UUID
		switch name {
		case HeaderMeldingID:
			dst = &m.MeldingID
		case HeaderAvsenderID:
			dst = &m.AvsenderKontoID
		case HeaderSvarTil:
			dst = &m.SvarPaMelding
		case HeaderDokumentlagerID:
			dst = &m.DokumentlagerID
		case HeaderType, HeaderSvarTilType:
		default:
			continue // the broker's x-delivery-count, x-death, and headers of later protocol versions
		}
		if !isStr {
			return nil, &HeaderError{Header: name, Reason: "not a string"}
		}
		switch {
		case dst != nil:
			if *dst, err = parseUUID(v); err != nil {
				return nil, &HeaderError{Header: name, Reason: "not a UUID"}
			}
		case name == HeaderType:
			m.Type = v
		default:
			m.SvarTilType = v
		}
	}
	switch {
	case m.MeldingID == uuid.Nil:
		return nil, &HeaderError{Header: HeaderMeldingID, Reason: "missing"}
	case m.AvsenderKontoID == uuid.Nil:
		return nil, &HeaderError{Header: HeaderAvsenderID, Reason: "missing"}
	case m.Type == "":
		return nil, &HeaderError{Header: HeaderType, Reason: "missing"}
	case !validType(m.Type):
		return nil, &HeaderError{Header: HeaderType, Reason: "not a message type"}
	case m.SvarTilType != "" && !validType(m.SvarTilType):
		return nil, &HeaderError{Header: HeaderSvarTilType, Reason: "not a message type"}
	}
	if expiration != "" {
		ms, err := strconv.ParseInt(expiration, 10, 64)
		if err != nil || ms < 0 || ms > int64(time.Duration(1<<63-1)/time.Millisecond) {
			return nil, &HeaderError{Header: "expiration", Reason: "not a number of milliseconds"}
		}
		m.TTL = time.Duration(ms) * time.Millisecond
	}
	return m, nil
}

func headerString(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, utf8.ValidString(s)
	case []byte:
		return string(s), utf8.Valid(s)
	}
	return "", false
}

// parseUUID accepts only the canonical 36-character form, as Fiks writes it.
func parseUUID(s string) (uuid.UUID, error) {
	if len(s) != 36 {
		return uuid.Nil, ErrHeader
	}
	u, err := uuid.Parse(s)
	if err != nil || u == uuid.Nil {
		return uuid.Nil, ErrHeader
	}
	return u, nil
}

// validType: a message type is a dotted name of letters, digits, '-' and
// '_' (no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett), at most 255 bytes.
func validType(t string) bool {
	if t == "" || len(t) > 255 {
		return false
	}
	for _, r := range t {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// safeName keeps an outside header name printable in an error.
func safeName(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	return truncate(s, 100)
}
