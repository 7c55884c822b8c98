package sak

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The page sizes of Page.Limit.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// Page selects one page of a list of cases. Every Store lists cases in one
// stable order, newest first: by Created to the microsecond (what
// PostgreSQL keeps), latest first, and then by ID, highest first, byte by
// byte. A cursor is an opaque place in that order; Store.List
// returns one to go on with, and [CursorOf] gives the place of a case.
//
// Paging is by keyset, not by offset: a case created while someone pages is
// never listed twice and never makes another case be skipped. It appears on
// a page only if it sorts after the place the listing had reached (a newer
// case does not).
type Page struct {
	// Limit is the most cases on the page: 0 means DefaultPageLimit, and
	// more than MaxPageLimit means MaxPageLimit.
	Limit int
	// After asks for the cases that follow the cursor (older ones); Before
	// for those that precede it (newer ones), still listed newest first.
	// Set at most one; with neither, the page starts at the newest case.
	After, Before string
}

// Size returns the page's limit with its default and cap applied.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageLimit
	case p.Limit > MaxPageLimit:
		return MaxPageLimit
	}
	return p.Limit
}

// Bound is where a page starts, for Store implementations: the case at
// (Created, ID) in the newest-first order, itself not included.
type Bound struct {
	Created time.Time
	ID      string
	// Backward pages toward newer cases (Page.Before); else toward older ones.
	Backward bool
}

// Bound returns where the page starts, or nil for the first page. A cursor
// that CursorOf did not make, or both After and Before set, is an ErrInvalid.
func (p Page) Bound() (*Bound, error) {
	if p.After != "" && p.Before != "" {
		return nil, fmt.Errorf("%w: a page is after one cursor or before one, not both", ErrInvalid)
	}
	cur, backward := p.After, false
	if p.Before != "" {
		cur, backward = p.Before, true
	}
	if cur == "" {
		return nil, nil
	}
	created, id, err := parseCursor(cur)
	if err != nil {
		return nil, err
	}
	return &Bound{Created: created, ID: id, Backward: backward}, nil
}

const cursorVersion = 1

// CursorOf returns the place of c in the order of every list: Page{After:
// CursorOf(c)} lists the cases older than c, Page{Before: CursorOf(c)} the
// newer ones. The cursor holds the case's creation time and ID and nothing
// else about it.
func CursorOf(c *Case) string { return cursor(c.Created.Truncate(time.Microsecond), c.ID) }

func cursor(created time.Time, id string) string {
	b := make([]byte, 13, 13+len(id))
	b[0] = cursorVersion
	binary.BigEndian.PutUint64(b[1:], uint64(created.Unix()))
	binary.BigEndian.PutUint32(b[9:], uint32(created.Nanosecond()))
	return base64.RawURLEncoding.EncodeToString(append(b, id...))
}

func parseCursor(s string) (time.Time, string, error) {
	bad := fmt.Errorf("%w: not a page cursor", ErrInvalid)
	if len(s) > 1024 {
		return time.Time{}, "", bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 14 || b[0] != cursorVersion {
		return time.Time{}, "", bad
	}
	sec := int64(binary.BigEndian.Uint64(b[1:]))
	nsec := binary.BigEndian.Uint32(b[9:])
	id := string(b[13:])
	if nsec >= 1e9 || !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return time.Time{}, "", bad
	}
	return time.Unix(sec, int64(nsec)).UTC(), id, nil
}

// compareOrder compares two places in the newest-first order of cases.
func compareOrder(aCreated time.Time, aID string, bCreated time.Time, bID string) int {
	if c := bCreated.Truncate(time.Microsecond).Compare(aCreated.Truncate(time.Microsecond)); c != 0 {
		return c
	}
	return strings.Compare(bID, aID)
}

// sortNewestFirst orders cases as every Store lists them.
func sortNewestFirst(cs []*Case) {
	slices.SortFunc(cs, func(a, b *Case) int { return compareOrder(a.Created, a.ID, b.Created, b.ID) })
}

// pageOf cuts the page p out of cs, which are sorted newest first, and
// returns it with the cursor to go on with.
func pageOf(cs []*Case, p Page) ([]*Case, string, error) {
	b, err := p.Bound()
	if err != nil {
		return nil, "", err
	}
	n := p.Size()
	if b == nil {
		if len(cs) <= n {
			return cs, "", nil
		}
		return cs[:n], CursorOf(cs[n-1]), nil
	}
	// cs[:i] come before the bound, cs[i:] at or after it.
	i, found := slices.BinarySearchFunc(cs, b, func(c *Case, b *Bound) int { return compareOrder(c.Created, c.ID, b.Created, b.ID) })
	if b.Backward {
		if i <= n {
			return cs[:i], "", nil
		}
		return cs[i-n : i], CursorOf(cs[i-n]), nil
	}
	if found {
		i++
	}
	if len(cs)-i <= n {
		return cs[i:], "", nil
	}
	return cs[i : i+n], CursorOf(cs[i+n-1]), nil
}
