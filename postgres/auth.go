package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/secret"
)

// AuthStore is an auth.Store on PostgreSQL.
type AuthStore struct{ db *DB }

// NewAuthStore returns an auth.Store on db. Run db.Migrate first.
func NewAuthStore(db *DB) *AuthStore { return &AuthStore{db: db} }

var _ auth.Store = (*AuthStore)(nil)

// sessionDoc is the stored form of the fields that are not queried. The
// secrets (id_token, CSRF token, PKCE verifier) and the personal number are
// written out on purpose: a session store must give them back.
type sessionDoc struct {
	Subject  string            `json:"subject,omitempty"`
	PID      string            `json:"pid,omitempty"`
	ACR      string            `json:"acr,omitempty"`
	AMR      []string          `json:"amr,omitempty"`
	Locale   string            `json:"locale,omitempty"`
	IDToken  string            `json:"id_token,omitempty"`
	CSRF     string            `json:"csrf,omitempty"`
	Pending  *pendingDoc       `json:"pending,omitempty"`
	ReturnTo string            `json:"return_to,omitempty"`
	Replaces string            `json:"replaces,omitempty"`
	Values   map[string]string `json:"values,omitempty"`
}

// pendingDoc is a login in progress as stored, PKCE verifier included:
// idporten.Pending leaves the verifier out of its own JSON.
type pendingDoc struct {
	State        string       `json:"state"`
	Nonce        string       `json:"nonce"`
	CodeVerifier string       `json:"code_verifier"`
	ACR          idporten.ACR `json:"acr"`
	Created      time.Time    `json:"created"`
}

func pendingToDoc(p *idporten.Pending) *pendingDoc {
	if p == nil {
		return nil
	}
	return &pendingDoc{p.State, p.Nonce, p.CodeVerifier.Reveal(), p.ACR, p.Created}
}

func (d *pendingDoc) pending() *idporten.Pending {
	if d == nil {
		return nil
	}
	return &idporten.Pending{State: d.State, Nonce: d.Nonce, CodeVerifier: secret.New(d.CodeVerifier), ACR: d.ACR, Created: d.Created}
}

func encodeSession(s *auth.Session) ([]byte, error) {
	return json.Marshal(sessionDoc{
		Subject: s.Subject, PID: s.PID.Reveal(), ACR: string(s.ACR), AMR: s.AMR, Locale: s.Locale,
		IDToken: s.IDToken.Reveal(), CSRF: s.CSRF, Pending: pendingToDoc(s.Pending), ReturnTo: s.ReturnTo, Replaces: s.Replaces,
		Values: s.Values,
	})
}

// Create implements auth.Store.
func (a *AuthStore) Create(ctx context.Context, s *auth.Session) error {
	if !text.ValidValue(s) {
		return auth.ErrInvalidText
	}
	doc, err := encodeSession(s)
	if err != nil {
		return fmt.Errorf("postgres: auth: %w", err)
	}
	_, err = a.db.Pool.Exec(ctx, `INSERT INTO auth_sessions (id, issuer, client_id, sid, created, last_seen, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.ID, s.Issuer, s.ClientID, s.SID, s.Created, s.LastSeen, doc)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return auth.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: auth: create: %w", err)
	}
	return nil
}

// Get implements auth.Store.
func (a *AuthStore) Get(ctx context.Context, id string) (*auth.Session, error) {
	if absent(id) {
		return nil, auth.ErrNotFound
	}
	s := &auth.Session{ID: id}
	var doc []byte
	err := a.db.Pool.QueryRow(ctx, `SELECT issuer, client_id, sid, created, last_seen, doc FROM auth_sessions WHERE id = $1`, id).
		Scan(&s.Issuer, &s.ClientID, &s.SID, &s.Created, &s.LastSeen, &doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, auth.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: auth: get: %w", err)
	}
	var d sessionDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("postgres: auth: decode session: %w", err)
	}
	if d.PID != "" {
		pid, err := ident.ParseFodselsnummer(d.PID)
		if err != nil {
			return nil, fmt.Errorf("postgres: auth: stored pid: %w", err)
		}
		s.PID = pid
	}
	s.Subject, s.ACR, s.AMR, s.Locale = d.Subject, idporten.ACR(d.ACR), d.AMR, d.Locale
	s.IDToken, s.CSRF, s.Pending, s.ReturnTo, s.Replaces = secret.New(d.IDToken), d.CSRF, d.Pending.pending(), d.ReturnTo, d.Replaces
	s.Values = d.Values
	s.Created, s.LastSeen = s.Created.UTC(), s.LastSeen.UTC()
	return s, nil
}

// Update implements auth.Store.
func (a *AuthStore) Update(ctx context.Context, s *auth.Session) error {
	if absent(s.ID) {
		return auth.ErrNotFound
	}
	if !text.ValidValue(s) {
		return auth.ErrInvalidText
	}
	doc, err := encodeSession(s)
	if err != nil {
		return fmt.Errorf("postgres: auth: %w", err)
	}
	tag, err := a.db.Pool.Exec(ctx, `UPDATE auth_sessions SET issuer = $2, client_id = $3, sid = $4, created = $5, last_seen = $6, doc = $7 WHERE id = $1`,
		s.ID, s.Issuer, s.ClientID, s.SID, s.Created, s.LastSeen, doc)
	if err != nil {
		return fmt.Errorf("postgres: auth: update: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// Touch implements auth.Store. An UPDATE, never an upsert: a session deleted
// by a logout stays deleted.
func (a *AuthStore) Touch(ctx context.Context, id string, at time.Time) error {
	if absent(id) {
		return auth.ErrNotFound
	}
	tag, err := a.db.Pool.Exec(ctx, `UPDATE auth_sessions SET last_seen = $2 WHERE id = $1`, id, at)
	if err != nil {
		return fmt.Errorf("postgres: auth: touch: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// Delete implements auth.Store.
func (a *AuthStore) Delete(ctx context.Context, id string) error {
	if absent(id) {
		return nil
	}
	if _, err := a.db.Pool.Exec(ctx, `DELETE FROM auth_sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("postgres: auth: delete: %w", err)
	}
	return nil
}

// DeleteBySID implements auth.Store.
func (a *AuthStore) DeleteBySID(ctx context.Context, issuer, sid string) (int, error) {
	if absent(issuer, sid) {
		return 0, nil
	}
	if sid == "" {
		return 0, nil
	}
	tag, err := a.db.Pool.Exec(ctx, `DELETE FROM auth_sessions WHERE issuer = $1 AND sid = $2`, issuer, sid)
	if err != nil {
		return 0, fmt.Errorf("postgres: auth: delete by sid: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// DeleteExpired implements auth.Store.
func (a *AuthStore) DeleteExpired(ctx context.Context, idleBefore, createdBefore time.Time) (int, error) {
	tag, err := a.db.Pool.Exec(ctx, `DELETE FROM auth_sessions WHERE last_seen < $1 OR created < $2`, idleBefore, createdBefore)
	if err != nil {
		return 0, fmt.Errorf("postgres: auth: delete expired: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
