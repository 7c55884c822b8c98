package booking

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/google/uuid"
)

// hashToken is what a Store keeps of a feed token.
func hashToken(t FeedToken) string {
	sum := sha256.Sum256([]byte(t.Reveal()))
	return hex.EncodeToString(sum[:])
}

// NewFeed creates a calendar feed for a citizen (owner) or a resource
// (resourceID; set exactly one) and returns it with its token. Only the
// token's hash is stored: show the URL to the citizen once.
func (s *Service) NewFeed(ctx context.Context, owner, resourceID string) (*Feed, FeedToken, error) {
	if (owner == "") == (resourceID == "") {
		return nil, FeedToken{}, fmt.Errorf("%w: a feed is for one owner or one resource", ErrInvalid)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, FeedToken{}, err
	}
	tok := FeedTokenFrom(base64.RawURLEncoding.EncodeToString(b[:]))
	f := &Feed{ID: uuid.NewString(), Hash: hashToken(tok), Owner: owner, ResourceID: resourceID, Created: s.now().UTC()}
	if err := s.store().PutFeed(ctx, f); err != nil {
		return nil, FeedToken{}, err
	}
	return f, tok, nil
}

// FeedURL returns base (for example "https://kommune.no/booking/feed/")
// with the token appended as the last path segment and ".ics".
func FeedURL(base string, tok FeedToken) string {
	return strings.TrimSuffix(base, "/") + "/" + url.PathEscape(tok.Reveal()) + ".ics"
}

// RenewFeed revokes every feed of the owner (or resource) and makes a new
// one: the way to take back a feed URL that has been shared or leaked.
func (s *Service) RenewFeed(ctx context.Context, owner, resourceID string) (*Feed, FeedToken, error) {
	if _, err := s.RevokeFeeds(ctx, owner, resourceID); err != nil {
		return nil, FeedToken{}, err
	}
	return s.NewFeed(ctx, owner, resourceID)
}

// RevokeFeeds stops every feed of a citizen (owner) or a resource (set
// exactly one) from working, for good, and returns how many it stopped.
func (s *Service) RevokeFeeds(ctx context.Context, owner, resourceID string) (int, error) {
	if (owner == "") == (resourceID == "") {
		return 0, fmt.Errorf("%w: feeds are of one owner or one resource", ErrInvalid)
	}
	return s.store().RevokeFeeds(ctx, owner, resourceID, s.now().UTC())
}

// RevokeFeed stops a feed's token from working, for good.
func (s *Service) RevokeFeed(ctx context.Context, id string) error {
	return s.store().RevokeFeed(ctx, id, s.now().UTC())
}

// FeedCalendar returns the iCalendar of the feed that tok opens, or
// ErrFeedRevoked for an unknown or revoked token.
func (s *Service) FeedCalendar(ctx context.Context, tok FeedToken) ([]byte, error) {
	f, err := s.store().FeedByHash(ctx, hashToken(tok))
	if err != nil {
		return nil, err
	}
	q := Query{Owner: f.Owner, ResourceID: f.ResourceID}
	name := "Bookinger"
	if f.ResourceID != "" {
		r, err := s.store().Resource(ctx, f.ResourceID)
		if err != nil {
			return nil, err
		}
		name = r.Name
	}
	return s.calendar(ctx, name, q)
}

// ResourceCalendar returns the iCalendar feed of one resource.
func (s *Service) ResourceCalendar(ctx context.Context, resourceID string) ([]byte, error) {
	r, err := s.store().Resource(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	return s.calendar(ctx, r.Name, Query{ResourceID: resourceID})
}

// ReservationICS returns the .ics attachment of one reservation.
func (s *Service) ReservationICS(ctx context.Context, id string) ([]byte, error) {
	res, err := s.store().Reservation(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.eventICS(ctx, res)
}

// OwnReservationICS is ReservationICS of owner's own reservation, as a
// citizen downloads it: someone else's, or one that does not exist, is
// ErrNotFound (OwnReservation).
func (s *Service) OwnReservationICS(ctx context.Context, owner, id string) ([]byte, error) {
	res, err := s.OwnReservation(ctx, owner, id)
	if err != nil {
		return nil, err
	}
	return s.eventICS(ctx, res)
}

func (s *Service) eventICS(ctx context.Context, res *Reservation) ([]byte, error) {
	r, err := s.store().Resource(ctx, res.ResourceID)
	if err != nil {
		return nil, err
	}
	return EventICS(res, r, s.now()), nil
}

func (s *Service) calendar(ctx context.Context, name string, q Query) ([]byte, error) {
	now := s.now()
	q.ActiveAt = now
	rs, err := s.store().Reservations(ctx, q)
	if err != nil {
		return nil, err
	}
	resources := map[string]*Resource{}
	for _, r := range rs {
		if _, ok := resources[r.ResourceID]; !ok {
			res, err := s.store().Resource(ctx, r.ResourceID)
			if err != nil {
				return nil, err
			}
			resources[r.ResourceID] = res
		}
	}
	return FeedICS(name, rs, resources, now), nil
}

// FeedHandler serves calendar feeds at .../{token}.ics, for mounting under the
// base given to FeedURL:
//
//	mux.Handle("GET /booking/feed/", http.StripPrefix("/booking/feed", svc.FeedHandler()))
//
// An unknown or revoked token gets 404, and the token never reaches a log.
func (s *Service) FeedHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := path.Base(req.URL.Path)
		tok, ok := strings.CutSuffix(name, ".ics")
		if !ok || tok == "" || len(tok) > 128 {
			http.NotFound(w, req)
			return
		}
		cal, err := s.FeedCalendar(req.Context(), FeedTokenFrom(tok))
		if err != nil {
			status, code := HTTPStatus(err)
			if code == "internal" {
				s.log().Error("booking: feed", "err", err)
			}
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Cache-Control", "private, max-age=300")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Write(cal)
	})
}
