package brreg

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
)

// Change types (endringstype) in the updates feed.
const (
	EndringNy       = "Ny"
	EndringEndring  = "Endring"
	EndringSletting = "Sletting"
	EndringFjernet  = "Fjernet" // removed for legal reasons
	EndringUkjent   = "Ukjent"
)

// Update is one entry of the updates feed: which unit changed, and how. Read
// the unit again for its new state.
type Update struct {
	ID                  int64              `json:"oppdateringsid"`
	Dato                registry.Timestamp `json:"dato"`
	Organisasjonsnummer ident.Orgnr        `json:"organisasjonsnummer"`
	Endringstype        string             `json:"endringstype"`
}

// UpdatesQuery says where to read the feed from.
type UpdatesQuery struct {
	// Underenheter reads the underenheter feed instead of the enheter feed.
	Underenheter bool
	// FromID is the first oppdateringsid to read (at least 1). Store the last
	// ID you handled and pass it + 1 next time.
	FromID int64
	// Since reads from a time instead, when FromID is 0.
	Since time.Time
	// Organisasjonsnummer limits the feed to these units.
	Organisasjonsnummer []ident.Orgnr
	// Size is how many updates to ask for per request; 0 means 1000, at most 10,000.
	Size int
}

type updatesWire struct {
	Embedded struct {
		Enheter      []Update `json:"oppdaterteEnheter"`
		Underenheter []Update `json:"oppdaterteUnderenheter"`
	} `json:"_embedded"`
	Page Page `json:"page"`
}

// Updates reads the updates feed from q.FromID (or q.Since) to its end, and
// yields each update in id order. It pages by oppdateringsid, not by page
// number, so it is not bound by the 10,000-result cap.
func (c *Client) Updates(ctx context.Context, q UpdatesQuery) iter.Seq2[Update, error] {
	return func(yield func(Update, error) bool) {
		path := "/enhetsregisteret/api/oppdateringer/enheter"
		if q.Underenheter {
			path = "/enhetsregisteret/api/oppdateringer/underenheter"
		}
		size := q.Size
		if size <= 0 {
			size = 1000
		}
		size = min(size, MaxResults)
		from := q.FromID
		since := q.Since
		for {
			v := url.Values{}
			if from > 0 || since.IsZero() {
				v.Set("oppdateringsid", strconv.FormatInt(max(from, 1), 10))
			} else {
				v.Set("dato", since.UTC().Format("2006-01-02T15:04:05.000Z"))
			}
			if len(q.Organisasjonsnummer) > 0 {
				s := ""
				for i, o := range q.Organisasjonsnummer {
					p, err := parseOrgnr(string(o))
					if err != nil {
						yield(Update{}, err)
						return
					}
					if i > 0 {
						s += ","
					}
					s += string(p)
				}
				v.Set("organisasjonsnummer", s)
			}
			v.Set("size", strconv.Itoa(size))
			v.Set("page", "0")
			v.Set("sort", "id,ASC")
			var w updatesWire
			if err := c.open.Get(ctx, "oppdateringer", path, v, "application/json", &w); err != nil {
				yield(Update{}, err)
				return
			}
			list := w.Embedded.Enheter
			if q.Underenheter {
				list = w.Embedded.Underenheter
			}
			advanced := false
			for _, u := range list {
				if u.ID < from {
					continue // a feed that ignores the start id must not loop
				}
				if !yield(u, nil) {
					return
				}
				from = u.ID + 1
				advanced = true
			}
			if len(list) < size || !advanced {
				return
			}
		}
	}
}
