package auth

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/grunnmur/grunnmur/internal/text"
)

// The bounds of a session's Values: they travel with every request's
// session read, so they stay small.
const (
	MaxValues    = 16   // keys per session
	MaxValueSize = 1024 // bytes of one key plus its value
)

// Errors of SetValue.
var (
	// ErrValueTooLarge means a SetValue would pass MaxValues or MaxValueSize.
	ErrValueTooLarge = errors.New("auth: session value too large")
	// ErrValueKey means a SetValue without a key.
	ErrValueKey = errors.New("auth: a session value needs a key")
	// ErrInvalidText means a key or value (SetValue), or a session (Store),
	// holds a string that is not UTF-8 or holds a NUL, which PostgreSQL
	// cannot keep. Every Store refuses it, the memory store as PostgreSQL
	// does.
	ErrInvalidText = errors.New("auth: invalid text")
)

// Value returns the request's session value for key, "" when it is unset or
// there is no session.
func (m *Manager) Value(r *http.Request, key string) string {
	s, err := m.Session(r)
	if err != nil {
		return ""
	}
	return s.Values[key]
}

// SetValue stores value under key in the request's logged-in session; ""
// removes the key. The value lasts until logout or the session's end, and a
// new login starts without it. ErrNoSession without a login, ErrValueKey
// without a key, ErrValueTooLarge past the bounds, ErrInvalidText for a key
// or value that is not UTF-8 or holds a NUL.
//
// It reads the stored session, changes it and writes it back whole, so two
// SetValue calls on one session at the same moment (two tabs posting at
// once) may keep only one of their changes, even for different keys. Set
// values where the citizen makes a choice, one request at a time, not as a
// counter.
func (m *Manager) SetValue(r *http.Request, key, value string) error {
	if key == "" {
		return ErrValueKey
	}
	if !text.Valid(key) || !text.Valid(value) {
		return ErrInvalidText
	}
	if len(key)+len(value) > MaxValueSize {
		return fmt.Errorf("%w: a key is 1 to %d bytes with its value", ErrValueTooLarge, MaxValueSize)
	}
	s, err := m.Session(r)
	if err != nil {
		return err
	}
	if !s.LoggedIn() {
		return ErrNoSession
	}
	// The stored copy may be newer than the one this request read.
	cur, err := m.store().Get(r.Context(), s.ID)
	if errors.Is(err, ErrNotFound) {
		return ErrNoSession
	}
	if err != nil {
		return err
	}
	if value == "" {
		delete(cur.Values, key)
	} else {
		if _, ok := cur.Values[key]; !ok && len(cur.Values) >= MaxValues {
			return fmt.Errorf("%w: at most %d keys", ErrValueTooLarge, MaxValues)
		}
		if cur.Values == nil {
			cur.Values = map[string]string{}
		}
		cur.Values[key] = value
	}
	if err := m.store().Update(r.Context(), cur); errors.Is(err, ErrNotFound) {
		return ErrNoSession
	} else if err != nil {
		return err
	}
	// The rest of this request sees the new value too.
	if v, ok := r.Context().Value(ctxKey{}).(*ctxValue); ok && v.m == m {
		v.session.Values = cur.Values
	}
	return nil
}
