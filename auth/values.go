package auth

import (
	"errors"
	"fmt"
	"net/http"
)

// The bounds of a session's Values: they travel with every request's
// session read, so they stay small.
const (
	MaxValues    = 16   // keys per session
	MaxValueSize = 1024 // bytes of one key plus its value
)

// ErrValueTooLarge means a SetValue would pass MaxValues or MaxValueSize.
var ErrValueTooLarge = errors.New("auth: session value too large")

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
// new login starts without it. Two concurrent SetValue calls on the same
// session keep the last one written. ErrNoSession without a login;
// ErrValueTooLarge past the bounds.
func (m *Manager) SetValue(r *http.Request, key, value string) error {
	if key == "" || len(key)+len(value) > MaxValueSize {
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
