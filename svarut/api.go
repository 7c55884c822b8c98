package svarut

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

// StatusInfo is one shipment's status.
type StatusInfo struct {
	ID         string
	Status     Status
	LastChange time.Time // sisteStatusEndring
}

type wireStatus struct {
	ID                 string `json:"id"`
	SisteStatusEndring string `json:"sisteStatusEndring"`
	Status             string `json:"status"`
}

// parseStatuses reads a status search response (ForsendelseStatuser). An
// unknown status is an error wrapping ErrUnknownStatus.
func parseStatuses(data []byte) ([]StatusInfo, error) {
	var w struct {
		Statuser *[]wireStatus `json:"statuser"`
	}
	if err := jsonUnmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: status search: %v", ErrBadResponse, err)
	}
	if w.Statuser == nil {
		return nil, fmt.Errorf("%w: status search: statuser missing", ErrBadResponse)
	}
	return toStatuses(*w.Statuser)
}

func toStatuses(ws []wireStatus) ([]StatusInfo, error) {
	out := make([]StatusInfo, 0, len(ws))
	for _, s := range ws {
		st, err := ParseStatus(s.Status)
		if err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339Nano, s.SisteStatusEndring)
		if err != nil {
			return nil, fmt.Errorf("%w: sisteStatusEndring %q", ErrBadResponse, truncate(s.SisteStatusEndring, 40))
		}
		out = append(out, StatusInfo{ID: s.ID, Status: st, LastChange: t})
	}
	return out, nil
}

// Statuses searches the statuses of the given shipments (status-sok). The
// search is read-only, so it is retried on temporary failures.
func (c *Client) Statuses(ctx context.Context, ids ...string) ([]StatusInfo, error) {
	for _, id := range ids {
		if err := checkID(id); err != nil {
			return nil, err
		}
	}
	path, err := c.kontoPath("/forsendelser/status-sok")
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := c.postJSON(ctx, path, map[string][]string{"forsendelseIds": ids}, &raw, true); err != nil {
		return nil, err
	}
	return parseStatuses(raw)
}

// Status returns one shipment's status, or an error wrapping ErrNotFound.
func (c *Client) Status(ctx context.Context, id string) (StatusInfo, error) {
	sts, err := c.Statuses(ctx, id)
	if err != nil {
		return StatusInfo{}, err
	}
	for _, s := range sts {
		if s.ID == id {
			return s, nil
		}
	}
	return StatusInfo{}, ErrNotFound
}

// Event is one entry of a shipment's history (Hendelse).
type Event struct {
	At          time.Time `json:"tidspunkt"`
	Description string    `json:"hendelse"`
}

// Events returns the shipment's history (hendelser).
func (c *Client) Events(ctx context.Context, id string) ([]Event, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var out struct {
		Hendelser []Event `json:"hendelser"`
	}
	if err := c.getJSON(ctx, "/api/v2/forsendelser/"+id+"/hendelser", nil, &out); err != nil {
		return nil, err
	}
	return out.Hendelser, nil
}

// SigningEvent is one entry of a signing order's history.
type SigningEvent struct {
	At          time.Time `json:"tidspunkt"`
	Status      string    `json:"status"` // AVVIST_AV_SVARUT, VENTER_SIGNERING, SIGNERT_AV_MOTTAKER, AVVIST_AV_MOTTAKER, UTLOPT
	Description string    `json:"hendelse"`
}

// SigningEvents returns the signing history (signeringshendelser).
func (c *Client) SigningEvents(ctx context.Context, id string) ([]SigningEvent, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var out struct {
		Hendelser []SigningEvent `json:"hendelser"`
	}
	if err := c.getJSON(ctx, "/api/v2/forsendelser/"+id+"/signeringshendelser", nil, &out); err != nil {
		return nil, err
	}
	return out.Hendelser, nil
}

// FindByExternalRef returns the ids of the account's shipments with the given
// eksternReferanse: none, or (if the references are unique) one.
func (c *Client) FindByExternalRef(ctx context.Context, ref string) ([]string, error) {
	path, err := c.kontoPath("/forsendelser")
	if err != nil {
		return nil, err
	}
	var out struct {
		IDs []string `json:"forsendelseIds"`
	}
	if err := c.getJSON(ctx, path, url.Values{"eksternRef": {ref}}, &out); err != nil {
		return nil, err
	}
	return out.IDs, nil
}

// ShipmentRef is a shipment found by eksternReferanse, with its metadata.
type ShipmentRef struct {
	ID            string    `json:"id"`
	Date          time.Time `json:"dato"`
	SendingSystem string    `json:"avgivendeSystem,omitempty"`
}

// FindByExternalRefMetadata is FindByExternalRef with each shipment's date
// and sending system.
func (c *Client) FindByExternalRefMetadata(ctx context.Context, ref string) ([]ShipmentRef, error) {
	path, err := c.kontoPath("/forsendelser/metadata")
	if err != nil {
		return nil, err
	}
	var out struct {
		Forsendelser []ShipmentRef `json:"forsendelser"`
	}
	if err := c.getJSON(ctx, path, url.Values{"eksternRef": {ref}}, &out); err != nil {
		return nil, err
	}
	return out.Forsendelser, nil
}

// MarkRead tells SvarUT that the person read the shipment in another system
// (lest). The fødselsnummer goes in the body, never in a URL or a log.
func (c *Client) MarkRead(ctx context.Context, id string, by ident.Fodselsnummer, at time.Time, system string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if by.IsZero() {
		return fmt.Errorf("%w: MarkRead needs the reader's fødselsnummer", ErrInvalid)
	}
	body := struct {
		Fnr       string `json:"fnr"`
		Tidspunkt string `json:"tidspunkt"`
		System    string `json:"eksterntSystemnavn,omitempty"`
	}{by.Reveal(), at.UTC().Format(time.RFC3339Nano), system}
	return c.postJSON(ctx, "/api/v2/forsendelser/"+id+"/lest", body, nil, false)
}

// DocumentMetadata describes one stored document of a sent shipment.
type DocumentMetadata struct {
	Name         string     `json:"filnavn"`
	MimeType     string     `json:"mimeType"`
	DocumentType string     `json:"dokumentType"`
	Size         int64      `json:"storrelse"`
	SHA256       string     `json:"sha256Hash"`
	DownloadURL  string     `json:"nedlasningUrl"`
	CanSign      bool       `json:"kanSigneres"`
	SigningURL   string     `json:"signeringUrl,omitempty"`
	Extra        []KeyValue `json:"ekstraMetadata,omitempty"`
	Sensitive    bool       `json:"inneholderPersonsensitivInformasjon,omitempty"`
}

// Metadata returns the metadata of the shipment's documents.
func (c *Client) Metadata(ctx context.Context, id string) ([]DocumentMetadata, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var out struct {
		Dokumenter []DocumentMetadata `json:"dokumenter"`
	}
	if err := c.getJSON(ctx, "/api/v2/forsendelser/"+id+"/metadata", nil, &out); err != nil {
		return nil, err
	}
	return out.Dokumenter, nil
}

// DeleteKind says which files DeleteFiles deletes.
type DeleteKind string

// The slettetype values.
const (
	DeleteOriginals DeleteKind = "ORIGINALDOKUMENTER" // the documents as sent (the default)
	DeleteAll       DeleteKind = "ALLE"               // also the generated letter
)

// DeleteFiles deletes the shipment's files at SvarUT.
func (c *Client) DeleteFiles(ctx context.Context, id string, kind DeleteKind) error {
	if err := checkID(id); err != nil {
		return err
	}
	if kind == "" {
		kind = DeleteOriginals
	}
	if kind != DeleteOriginals && kind != DeleteAll {
		return fmt.Errorf("%w: slettetype %q", ErrInvalid, truncate(string(kind), 40))
	}
	req, err := c.newRequest(ctx, http.MethodDelete, c.url("/api/v2/forsendelser/"+id+"/dokumenter", url.Values{"slettetype": {string(kind)}}), nil)
	if err != nil {
		return err
	}
	return c.do(req, nil)
}

// ShipmentTypes lists every forsendelsestype known to SvarUT.
func (c *Client) ShipmentTypes(ctx context.Context) ([]string, error) {
	var out struct {
		Typer []string `json:"forsendelsestyper"`
	}
	if err := c.getJSON(ctx, "/api/v2/forsendelsestyper", nil, &out); err != nil {
		return nil, err
	}
	return out.Typer, nil
}

// ReceivingSystem is a mottakersystem: an organisation's system that receives
// shipments of a type through SvarInn.
type ReceivingSystem struct {
	ID           string `json:"id"`
	Name         string `json:"navn"`
	Orgnr        string `json:"organisasjonsnummer"`
	ShipmentType string `json:"forsendelseType"`
	Level        int    `json:"niva"`
}

// ReceivingSystems looks up the mottakersystemer of an organisation, for a
// forsendelsestype and security level (1-9; 0 means any).
func (c *Client) ReceivingSystems(ctx context.Context, org ident.Orgnr, shipmentType string, level int) ([]ReceivingSystem, error) {
	q := url.Values{"organisasjonsnummer": {string(org)}}
	if shipmentType != "" {
		q.Set("forsendelseType", shipmentType)
	}
	if level > 0 {
		q.Set("niva", strconv.Itoa(level))
	}
	var out struct {
		Systemer []ReceivingSystem `json:"mottakersystemer"`
	}
	if err := c.getJSON(ctx, "/api/v2/mottakersystem", q, &out); err != nil {
		return nil, err
	}
	return out.Systemer, nil
}
