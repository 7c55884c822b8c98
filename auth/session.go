package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/secret"
)

// Sentinels.
var (
	ErrNotFound  = errors.New("auth: session not found")
	ErrConflict  = errors.New("auth: session id already exists")
	ErrNoSession = errors.New("auth: not logged in")
	ErrCSRF      = errors.New("auth: missing or wrong CSRF token")
)

// Session is a server-side login session. The browser's cookie holds only a
// random token; the store keys the session by the token's SHA-256 (ID), so a
// leaked database does not hand out live cookies.
type Session struct {
	ID string // the store key: base64url(SHA-256(cookie token))

	// The provider and client the session belongs to, set from the start
	// of the login: a Manager accepts only its own (see Manager.Session).
	Issuer   string // ID-porten or Ansattporten
	ClientID string

	// The login, empty while one is in progress.
	Subject string
	PID     ident.Fodselsnummer
	ACR     idporten.ACR
	AMR     []string
	SID     string // the provider's session id, for front-channel logout
	Locale  string
	IDToken secret.Value // the id_token, sent back as id_token_hint at logout

	// CSRF is the token state-changing forms must echo.
	CSRF string
	// Pending is the login in progress (state, nonce, PKCE verifier).
	Pending *idporten.Pending
	// ReturnTo is the local path to go back to after the login.
	ReturnTo string
	// Replaces is the ID of the session a login in progress replaces (a
	// step-up to a higher level), ended when the login completes.
	Replaces string
	// Values are the service's own small facts about this login: the
	// organisation the person acts for, say. They live and end with the
	// session (a new login starts without them) and are stored with it; set
	// them through Manager.SetValue, which bounds their size.
	Values map[string]string

	Created  time.Time // the login (the absolute limit runs from here)
	LastSeen time.Time // the last request (the idle limit runs from here)
}

// LoggedIn reports whether the session holds a completed login.
func (s *Session) LoggedIn() bool { return s != nil && s.Subject != "" }

// Clone returns a deep copy.
func (s *Session) Clone() *Session {
	c := *s
	c.AMR = slices.Clone(s.AMR)
	c.Values = maps.Clone(s.Values)
	if s.Pending != nil {
		p := *s.Pending
		c.Pending = &p
	}
	return &c
}

// String never shows the personal number, the id_token, the CSRF token or
// the pending login's PKCE verifier.
func (s *Session) String() string {
	if s == nil {
		return "auth.Session(nil)"
	}
	return fmt.Sprintf("auth.Session{ID: %.8s…, Issuer: %s, ACR: %s, PID: %s, Created: %s}", s.ID, s.Issuer, s.ACR, s.PID, s.Created.Format(time.RFC3339))
}

// Format makes every verb, %+v and %#v included, and a Session value as well
// as a pointer, print String: fmt would otherwise show the CSRF token.
func (s Session) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	io.WriteString(f, s.String())
}

// LogValue keeps slog as safe as String.
func (s Session) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON gives the same safe summary as String, never the CSRF token,
// the id_token, the pending login's PKCE verifier or the values: it is for
// logs and debugging output. A Store keeps every field itself (see
// postgres.AuthStore), since a Session's JSON cannot be read back.
func (s Session) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID       string              `json:"id"`
		Issuer   string              `json:"issuer,omitempty"`
		ACR      idporten.ACR        `json:"acr,omitempty"`
		PID      ident.Fodselsnummer `json:"pid,omitzero"`
		LoggedIn bool                `json:"loggedIn"`
		Created  time.Time           `json:"created"`
		LastSeen time.Time           `json:"lastSeen"`
	}{fmt.Sprintf("%.8s…", s.ID), s.Issuer, s.ACR, s.PID, s.LoggedIn(), s.Created, s.LastSeen})
}

// Store keeps sessions. Implementations: NewMemoryStore here, and
// postgres.NewAuthStore. Every implementation passes authtest.TestStore.
type Store interface {
	// Create stores a new session; ErrConflict if its ID exists.
	Create(ctx context.Context, s *Session) error
	// Get returns a copy of the session, or ErrNotFound. It does not check
	// expiry: the Manager does.
	Get(ctx context.Context, id string) (*Session, error)
	// Update replaces a stored session; ErrNotFound if it is gone.
	Update(ctx context.Context, s *Session) error
	// Touch sets LastSeen; ErrNotFound if the session is gone (a touch never
	// brings back a deleted session).
	Touch(ctx context.Context, id string, at time.Time) error
	// Delete removes the session; deleting a missing session is not an error.
	Delete(ctx context.Context, id string) error
	// DeleteBySID removes every session of the provider session (issuer,
	// sid), for front-channel logout, and says how many there were.
	DeleteBySID(ctx context.Context, issuer, sid string) (int, error)
	// DeleteExpired removes sessions last seen before idleBefore or created
	// before createdBefore, and says how many.
	DeleteExpired(ctx context.Context, idleBefore, createdBefore time.Time) (int, error)
}

// MemoryStore is an in-memory Store, safe for concurrent use. Its zero value
// is ready to use.
type MemoryStore struct {
	mu       sync.Mutex
	sessions map[string]*Session
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

var _ Store = (*MemoryStore)(nil)

// Create implements Store.
func (m *MemoryStore) Create(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sessions == nil {
		m.sessions = map[string]*Session{}
	}
	if _, ok := m.sessions[s.ID]; ok {
		return ErrConflict
	}
	if !text.ValidValue(s) {
		return ErrInvalidText
	}
	m.sessions[s.ID] = s.Clone()
	return nil
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, id string) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return nil, ErrNotFound
	}
	return s.Clone(), nil
}

// Update implements Store.
func (m *MemoryStore) Update(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sessions[s.ID]; !ok {
		return ErrNotFound
	}
	if !text.ValidValue(s) {
		return ErrInvalidText
	}
	m.sessions[s.ID] = s.Clone()
	return nil
}

// Touch implements Store.
func (m *MemoryStore) Touch(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return ErrNotFound
	}
	s.LastSeen = at
	return nil
}

// Delete implements Store.
func (m *MemoryStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, id)
	return nil
}

// DeleteBySID implements Store.
func (m *MemoryStore) DeleteBySID(_ context.Context, issuer, sid string) (int, error) {
	if sid == "" {
		return 0, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, s := range m.sessions {
		if s.Issuer == issuer && s.SID == sid {
			delete(m.sessions, id)
			n++
		}
	}
	return n, nil
}

// DeleteExpired implements Store.
func (m *MemoryStore) DeleteExpired(_ context.Context, idleBefore, createdBefore time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, s := range m.sessions {
		if s.LastSeen.Before(idleBefore) || s.Created.Before(createdBefore) {
			delete(m.sessions, id)
			n++
		}
	}
	return n, nil
}
