package forms

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/eventcheck"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/secret"
)

// Store errors.
var (
	ErrNotFound         = errors.New("forms: not found")
	ErrConflict         = errors.New("forms: changed by someone else")
	ErrAlreadySubmitted = errors.New("forms: draft already submitted")
	ErrWrongForm        = errors.New("forms: draft belongs to another form")
	ErrDraftVersion     = errors.New("forms: draft saved under an unsupported form version")
	// ErrInvalidText: a draft or submission holds a string that is not
	// UTF-8 or holds a NUL, which PostgreSQL cannot keep. Every Store refuses
	// it, so a service tested on MemoryStore meets no new error in
	// production; Flow cleans what citizens type before it gets here.
	ErrInvalidText = errors.New("forms: invalid text")
)

// Draft is a form being filled in. An owner may have several drafts of one
// form.
type Draft struct {
	ID          string    `json:"id"`
	FormID      string    `json:"formId"`
	FormVersion int       `json:"formVersion"`
	Owner       string    `json:"owner"` // an owner key, see OwnerKeys
	Page        string    `json:"page,omitempty"`
	Data        Data      `json:"data"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	Version     int       `json:"version"` // for optimistic locking; Store sets it
}

// Submission is a submitted form: the pruned data, as validated.
type Submission struct {
	ID          string    `json:"id"`
	FormID      string    `json:"formId"`
	FormVersion int       `json:"formVersion"`
	Owner       string    `json:"owner"`
	DraftID     string    `json:"draftId,omitempty"`
	Lang        i18n.Lang `json:"lang"`
	Data        Data      `json:"data"`
	SubmittedAt time.Time `json:"submittedAt"`
}

// Format prints a draft without its data, which may hold personal numbers.
func (d Draft) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "forms.Draft{ID:%s Form:%s/v%d Owner:%s Page:%s Data:[%d fields redacted] Version:%d}",
		d.ID, d.FormID, d.FormVersion, d.Owner, d.Page, len(d.Data), d.Version)
}

// LogValue logs a draft without its data.
func (d Draft) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", d.ID), slog.String("form", d.FormID), slog.Int("formVersion", d.FormVersion), slog.String("owner", d.Owner))
}

// Format prints a submission without its data, which may hold personal
// numbers.
func (s Submission) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "forms.Submission{ID:%s Form:%s/v%d Owner:%s Data:[%d fields redacted] SubmittedAt:%s}",
		s.ID, s.FormID, s.FormVersion, s.Owner, len(s.Data), s.SubmittedAt.UTC().Format(time.RFC3339))
}

// LogValue logs a submission without its data.
func (s Submission) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", s.ID), slog.String("form", s.FormID), slog.Int("formVersion", s.FormVersion), slog.String("owner", s.Owner))
}

// Store keeps drafts and submissions. Implementations: MemoryStore here and
// postgres.FormsStore; every implementation passes formstest.TestStore.
type Store interface {
	// CreateDraft stores a new draft with Version 1. Its ID must be new.
	CreateDraft(ctx context.Context, d *Draft) error
	// GetDraft returns a copy of the draft, or ErrNotFound.
	GetDraft(ctx context.Context, id string) (*Draft, error)
	// UpdateDraft replaces the draft if the stored Version equals d.Version,
	// then increments d.Version; otherwise ErrConflict or ErrNotFound.
	UpdateDraft(ctx context.Context, d *Draft) error
	// DeleteDraft removes a draft, or returns ErrNotFound.
	DeleteDraft(ctx context.Context, id string) error
	// ListDrafts returns an owner's drafts of a form (all forms when formID
	// is empty), the most recently updated first.
	ListDrafts(ctx context.Context, owner, formID string) ([]*Draft, error)
	// DeleteDraftsBefore removes up to limit drafts last updated before
	// before, the oldest first, and returns them: abandoned drafts hold
	// answers and uploads that must not be kept without end (DraftExpiry).
	DeleteDraftsBefore(ctx context.Context, before time.Time, limit int) ([]*Draft, error)
	// Submit stores the submission and deletes its draft (s.DraftID) in one
	// step: of many concurrent Submits of one draft, exactly one succeeds and
	// the others get ErrAlreadySubmitted. A submission without DraftID is
	// just stored. The ID must be new (else ErrConflict). evs (the
	// submission's FormSubmitted) are recorded with it, atomically: a
	// refused Submit records none.
	Submit(ctx context.Context, s *Submission, evs ...events.Event) error
	// GetSubmission returns a copy of the submission, or ErrNotFound.
	GetSubmission(ctx context.Context, id string) (*Submission, error)
	// ListSubmissions returns an owner's submissions, newest first.
	ListSubmissions(ctx context.Context, owner string) ([]*Submission, error)
}

// MemoryStore is an in-memory Store, safe for concurrent use. Its zero value
// is ready to use.
type MemoryStore struct {
	// Events is the outbox the store appends its events to, under its
	// lock, with the change they describe; nil drops them. Give every
	// memory store of a service the same one.
	Events *events.Memory

	mu          sync.Mutex
	drafts      map[string]*Draft
	submissions map[string]*Submission
	submitted   map[string]bool // draft ids
}

// NewMemoryStore returns an empty in-memory Store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

var _ Store = (*MemoryStore)(nil)

func (m *MemoryStore) init() {
	if m.drafts == nil {
		m.drafts = map[string]*Draft{}
		m.submissions = map[string]*Submission{}
		m.submitted = map[string]bool{}
	}
}

func cloneDraft(d *Draft) *Draft {
	c := *d
	c.Data = deepCopy(d.Data)
	return &c
}

func cloneSubmission(s *Submission) *Submission {
	c := *s
	c.Data = deepCopy(s.Data)
	return &c
}

// CreateDraft implements Store.
func (m *MemoryStore) CreateDraft(ctx context.Context, d *Draft) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if _, ok := m.drafts[d.ID]; ok || m.submitted[d.ID] || d.ID == "" {
		return ErrConflict
	}
	if !text.ValidValue(d) {
		return ErrInvalidText
	}
	d.Version = 1
	m.drafts[d.ID] = cloneDraft(d)
	return nil
}

// GetDraft implements Store.
func (m *MemoryStore) GetDraft(ctx context.Context, id string) (*Draft, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.drafts[id]
	if !ok {
		return nil, ErrNotFound
	}
	return cloneDraft(d), nil
}

// UpdateDraft implements Store.
func (m *MemoryStore) UpdateDraft(ctx context.Context, d *Draft) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.drafts[d.ID]
	switch {
	case !ok:
		return ErrNotFound
	case !text.ValidValue(d):
		return ErrInvalidText
	case old.Version != d.Version:
		return ErrConflict
	}
	d.Version++
	m.drafts[d.ID] = cloneDraft(d)
	return nil
}

// DeleteDraft implements Store.
func (m *MemoryStore) DeleteDraft(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.drafts[id]; !ok {
		return ErrNotFound
	}
	delete(m.drafts, id)
	return nil
}

// DeleteDraftsBefore implements Store.
func (m *MemoryStore) DeleteDraftsBefore(ctx context.Context, before time.Time, limit int) ([]*Draft, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Draft
	for _, d := range m.drafts {
		if d.Updated.Before(before) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *Draft) int { return cmp.Or(a.Updated.Compare(b.Updated), cmp.Compare(a.ID, b.ID)) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	for i, d := range out {
		delete(m.drafts, d.ID)
		out[i] = cloneDraft(d)
	}
	return out, nil
}

// ListDrafts implements Store.
func (m *MemoryStore) ListDrafts(ctx context.Context, owner, formID string) ([]*Draft, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Draft
	for _, d := range m.drafts {
		if d.Owner == owner && (formID == "" || d.FormID == formID) {
			out = append(out, cloneDraft(d))
		}
	}
	slices.SortFunc(out, func(a, b *Draft) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return cmpString(a.ID, b.ID)
	})
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Submit implements Store.
func (m *MemoryStore) Submit(ctx context.Context, s *Submission, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if _, ok := m.submissions[s.ID]; ok || s.ID == "" {
		return ErrConflict
	}
	if !text.ValidValue(s) {
		return ErrInvalidText
	}
	if err := eventcheck.Valid("forms", evs); err != nil {
		return err
	}
	if s.DraftID != "" {
		if m.submitted[s.DraftID] {
			return ErrAlreadySubmitted
		}
		if _, ok := m.drafts[s.DraftID]; !ok {
			return ErrNotFound
		}
		delete(m.drafts, s.DraftID)
		m.submitted[s.DraftID] = true
	}
	m.submissions[s.ID] = cloneSubmission(s)
	m.Events.Append(evs...)
	return nil
}

// GetSubmission implements Store.
func (m *MemoryStore) GetSubmission(ctx context.Context, id string) (*Submission, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.submissions[id]
	if !ok {
		return nil, ErrNotFound
	}
	return cloneSubmission(s), nil
}

// ListSubmissions implements Store.
func (m *MemoryStore) ListSubmissions(ctx context.Context, owner string) ([]*Submission, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Submission
	for _, s := range m.submissions {
		if s.Owner == owner {
			out = append(out, cloneSubmission(s))
		}
	}
	slices.SortFunc(out, func(a, b *Submission) int {
		if c := b.SubmittedAt.Compare(a.SubmittedAt); c != 0 {
			return c
		}
		return cmpString(a.ID, b.ID)
	})
	return out, nil
}

// Owner is who a draft or submission belongs to: the person who is logged
// in, or the organisation the person acts for.
type Owner struct {
	Person ident.Fodselsnummer
	Org    ident.Orgnr // set when the person acts for an organisation
}

// OwnerKeys turns owners into the opaque keys stores keep, so that a store
// holds no personal number beyond what the submission data itself needs: a
// person's key is an HMAC of the number under Secret; an organisation's key
// is its public organisation number. OwnerKeys prints, logs and marshals
// with the secret redacted (secret.Value).
type OwnerKeys struct {
	Secret secret.Value // at least 32 random bytes, kept like a password
}

// ErrWeakSecret is returned by OwnerKeys with a secret shorter than 32 bytes.
var ErrWeakSecret = errors.New("forms: owner key secret must be at least 32 bytes")

// Check reports a secret too weak to key persons with (ErrWeakSecret), so
// that a service can refuse it when it starts rather than at the first
// citizen who logs in.
func (k OwnerKeys) Check() error {
	if len(k.Secret.Reveal()) < 32 {
		return ErrWeakSecret
	}
	return nil
}

// Key returns the owner's key: "org:974760673" or "person:" and 43
// characters of base64url HMAC-SHA256.
func (k OwnerKeys) Key(o Owner) (string, error) {
	if o.Org != "" {
		return "org:" + string(o.Org), nil
	}
	if err := k.Check(); err != nil {
		return "", err
	}
	if o.Person.IsZero() {
		return "", errors.New("forms: owner has neither a person nor an organisation")
	}
	mac := hmac.New(sha256.New, []byte(k.Secret.Reveal()))
	mac.Write([]byte(o.Person.Reveal()))
	return "person:" + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// newID returns a random id for a draft, a submission or a file: 26
// characters of lower-case base32, 130 bits.
func newID() string { return strings.ToLower(rand.Text()) }

// NewDraft starts a draft of the definition for an owner key.
func (def *Definition) NewDraft(owner string, now time.Time) *Draft {
	return &Draft{ID: newID(), FormID: def.ID, FormVersion: def.Version, Owner: owner, Page: def.FirstPage(Data{}), Data: Data{}, Created: now.UTC(), Updated: now.UTC()}
}

// VersionError is a draft whose form version this definition cannot load.
type VersionError struct {
	Draft, Min, Current int
}

func (e *VersionError) Error() string {
	if e.Draft > e.Current {
		return fmt.Sprintf("forms: draft saved under form version %d, newer than this definition's %d", e.Draft, e.Current)
	}
	return fmt.Sprintf("forms: draft saved under form version %d; this definition (version %d) loads drafts from version %d", e.Draft, e.Current, e.Min)
}

// Unwrap makes errors.Is(err, ErrDraftVersion) true.
func (e *VersionError) Unwrap() error { return ErrDraftVersion }

// CheckDraft says whether the definition can continue a draft: the same form,
// and a version from MinDraftVersion up to its own. A draft from an older
// version loads as it is: answers to removed fields are pruned at
// validation, new fields start empty.
func (def *Definition) CheckDraft(d *Draft) error {
	if d.FormID != def.ID {
		return ErrWrongForm
	}
	min := def.MinDraftVersion
	if min == 0 {
		min = 1
	}
	if d.FormVersion > def.Version || d.FormVersion < min {
		return &VersionError{Draft: d.FormVersion, Min: min, Current: def.Version}
	}
	return nil
}

// Submit validates a draft and, when it is valid, stores the pruned data as a
// submission and removes the draft. When the data has errors it returns the
// Result and no submission. A nil Store is ErrNoStore: a submission must be
// kept somewhere.
func (def *Definition) Submit(ctx context.Context, s Store, d *Draft, lang i18n.Lang, now time.Time) (*Submission, *Result, error) {
	if s == nil {
		return nil, nil, ErrNoStore
	}
	if err := def.CheckDraft(d); err != nil {
		return nil, nil, err
	}
	res := def.Validate(d.Data, Options{Lang: lang})
	if !res.Valid() {
		return nil, res, nil
	}
	sub := &Submission{
		ID: newID(), FormID: def.ID, FormVersion: def.Version, Owner: d.Owner, DraftID: d.ID,
		Lang: normLang(lang), Data: res.Data, SubmittedAt: now.UTC().Truncate(time.Millisecond),
	}
	ev, err := submittedEvent(sub)
	if err != nil {
		return nil, res, err
	}
	if err := s.Submit(ctx, sub, ev); err != nil {
		return nil, res, err
	}
	return sub, res, nil
}
