package fiksio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Message is a message to send.
type Message struct {
	// Mottaker is the receiving account. Required.
	Mottaker uuid.UUID
	// Type is the message type, e.g. no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.
	Type string
	// SvarPaMelding is the melding-id this message answers; uuid.Nil when
	// it is not a reply.
	SvarPaMelding uuid.UUID
	// TTL is how long the message may wait unread, at least one second;
	// 0 leaves it to Fiks IO (7 days).
	TTL time.Duration
	// Headers are custom headers, named without the egendefinert-header.
	// prefix (Fiks IO adds it). KlientMeldingID and KlientKorrelasjonsID
	// go here too, or through the fields below.
	Headers map[string]string
	// KlientMeldingID and KlientKorrelasjonsID, when set, are sent as the
	// headers of those names.
	KlientMeldingID, KlientKorrelasjonsID string
	// Payload is the sealed payload: the ASiC-E encrypted to the receiver's
	// certificate (see PublicKey). It is streamed, never held in memory.
	// nil sends a message without a payload.
	Payload io.Reader
}

// Sent is Fiks IO's receipt for a sent message.
type Sent struct {
	MeldingID       uuid.UUID
	MeldingType     string
	AvsenderKontoID uuid.UUID
	MottakerKontoID uuid.UUID
	TTL             time.Duration
	DokumentlagerID uuid.UUID // set when Fiks IO stored the payload in Dokumentlager
	SvarPaMelding   uuid.UUID
	Headers         map[string]string
}

// Metadata is the metadata part of a send: Fiks IO's MeldingSpesifikasjonApiModel.
type Metadata struct {
	AvsenderKontoID uuid.UUID         `json:"avsenderKontoId"`
	MottakerKontoID uuid.UUID         `json:"mottakerKontoId"`
	MeldingType     string            `json:"meldingType"`
	SvarPaMelding   *uuid.UUID        `json:"svarPaMelding"`
	TTL             *int64            `json:"ttl,omitempty"` // milliseconds
	Headere         map[string]string `json:"headere"`
}

// SentAPI is Fiks IO's answer to a send (SendtMeldingApiModel).
type SentAPI struct {
	MeldingID       uuid.UUID         `json:"meldingId"`
	MeldingType     string            `json:"meldingType"`
	AvsenderKontoID uuid.UUID         `json:"avsenderKontoId"`
	MottakerKontoID uuid.UUID         `json:"mottakerKontoId"`
	TTL             int64             `json:"ttl"`
	DokumentlagerID *uuid.UUID        `json:"dokumentlagerId"`
	SvarPaMelding   *uuid.UUID        `json:"svarPaMelding"`
	Headere         map[string]string `json:"headere"`
}

// metadata checks m and builds its metadata part.
func (c *Client) metadata(m Message) (*Metadata, error) {
	md := &Metadata{AvsenderKontoID: c.konto, MottakerKontoID: m.Mottaker, MeldingType: m.Type, Headere: map[string]string{}}
	invalid := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
	}
	if m.Mottaker == uuid.Nil {
		return nil, invalid("Mottaker is required")
	}
	if !validType(m.Type) {
		return nil, invalid("Type %q is not a message type", safeName(m.Type))
	}
	if m.SvarPaMelding != uuid.Nil {
		id := m.SvarPaMelding
		md.SvarPaMelding = &id
	}
	switch {
	case m.TTL < 0, m.TTL > 0 && m.TTL < time.Second:
		return nil, invalid("TTL %v is under one second", m.TTL)
	case m.TTL > 0:
		ms := m.TTL.Milliseconds()
		md.TTL = &ms
	}
	for k, v := range m.Headers {
		k = strings.TrimPrefix(k, CustomHeaderPrefix)
		if k == "" || !utf8.ValidString(k) || !utf8.ValidString(v) || len(k) > 200 {
			return nil, invalid("header name %q", safeName(k))
		}
		md.Headere[k] = v
	}
	if m.KlientMeldingID != "" {
		md.Headere[KlientMeldingID] = m.KlientMeldingID
	}
	if m.KlientKorrelasjonsID != "" {
		md.Headere[KlientKorrelasjonsID] = m.KlientKorrelasjonsID
	}
	return md, nil
}

// Send posts m to POST /fiks-io/api/v1/send as multipart metadata + data,
// streaming the payload, and returns Fiks IO's receipt (202 Accepted).
// A send is not retried here: resend with the same KlientMeldingID, and the
// receiver dedups. Errors: ErrInvalid (nothing sent), ErrUnauthorized,
// ErrUnknownAccount, ErrQueueFull, ErrServer, all as *Error.
func (c *Client) Send(ctx context.Context, m Message) (*Sent, error) {
	const op = "send"
	md, err := c.metadata(m)
	if err != nil {
		return nil, err
	}
	meta, err := json.Marshal(md)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, err := c.newRequest(ctx, op, http.MethodPost, c.url("/fiks-io/api/v1/send", nil), pr)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	go func() { pw.CloseWithError(writeParts(mw, meta, m.Payload)) }()
	resp, err := c.do(op, req)
	// Whatever happened, the writer must end: a payload still being read
	// would otherwise leak its goroutine.
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return nil, &Error{Op: op, Status: resp.StatusCode, Kind: ErrBadResponse, Message: "expected 202 Accepted"}
	}
	var a SentAPI
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&a); err != nil {
		return nil, decodeError(op, err)
	}
	s := &Sent{MeldingID: a.MeldingID, MeldingType: a.MeldingType, AvsenderKontoID: a.AvsenderKontoID,
		MottakerKontoID: a.MottakerKontoID, TTL: time.Duration(a.TTL) * time.Millisecond, Headers: a.Headere}
	if a.DokumentlagerID != nil {
		s.DokumentlagerID = *a.DokumentlagerID
	}
	if a.SvarPaMelding != nil {
		s.SvarPaMelding = *a.SvarPaMelding
	}
	if s.MeldingID == uuid.Nil {
		return nil, decodeError(op, fmt.Errorf("no meldingId"))
	}
	return s, nil
}

func writeParts(mw *multipart.Writer, meta []byte, payload io.Reader) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="metadata"`)
	h.Set("Content-Type", "application/json")
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := w.Write(meta); err != nil {
		return err
	}
	if payload != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="data"; filename="`+uuid.NewString()+`"`)
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, payload); err != nil {
			return err
		}
	}
	return mw.Close()
}
