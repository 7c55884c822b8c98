package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/grunnmur/grunnmur/internal/job"
	"github.com/grunnmur/grunnmur/internal/text"
)

// Config configures a Sender. Its zero value sends nothing (no providers) but
// is otherwise ready: an in-memory store, the 09–17 Oslo SMS window.
type Config struct {
	// Email and SMS are the providers; a message for a channel without one
	// is ErrNoProvider.
	Email EmailProvider
	SMS   SMSProvider
	// Templates are what Notify renders.
	Templates *Templates
	// Contacts is KRR, for Notify to a person; a *krr.Client.
	Contacts Contacts
	// StaleAfter is KRR's staleness limit; 0 means DefaultStaleAfter.
	StaleAfter time.Duration
	// Conditions are asked before a notification with a Condition is sent:
	// a reminder asks whether it is still needed, as Altinn's
	// conditionEndpoint does. The names are stored with the notification,
	// so every process that sends must have the same ones.
	Conditions map[string]Condition
	// Store keeps every notification by key; nil means a new MemStore.
	Store Store
	// Window is when non-urgent SMS may go out; the zero value is 09–17 Oslo.
	Window Window
	// MaxAttempts bounds the sends of one notification; 0 means 5.
	MaxAttempts int
	// Backoff is the wait after the n-th temporary failure (n from 1); nil
	// means one minute doubled each time, at most an hour.
	Backoff func(n int) time.Duration
	// Lease is how long a send may take before another pass takes it over
	// (after a crash); 0 means 5 minutes. The provider gets the same key
	// again, so a provider that honours it sends once.
	Lease time.Duration
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
	// Logger gets a line per failed send; nil discards. No address or text
	// is logged, only keys, statuses and reasons.
	Logger *slog.Logger
}

// Sender sends notifications through its providers, once per idempotency
// key, and keeps their status. It is safe for concurrent use, also by several
// processes on one shared Store.
type Sender struct {
	cfg Config
}

// New checks cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	if cfg.Store == nil {
		cfg.Store = &MemStore{}
	}
	w, err := cfg.Window.norm()
	if err != nil {
		return nil, err
	}
	cfg.Window = w
	if cfg.MaxAttempts < 0 || cfg.Lease < 0 {
		return nil, fmt.Errorf("%w: MaxAttempts and Lease must not be negative", ErrConfig)
	}
	if cfg.StaleAfter < 0 {
		return nil, fmt.Errorf("%w: StaleAfter must not be negative", ErrConfig)
	}
	if cfg.StaleAfter == 0 {
		cfg.StaleAfter = DefaultStaleAfter
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Lease == 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(n int) time.Duration {
			if n > 7 {
				return time.Hour
			}
			return min(time.Minute<<max(n-1, 0), time.Hour)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{cfg: cfg}, nil
}

// Message is one rendered notification to send.
type Message struct {
	// Key is the idempotency key (required): a second Send with the same key
	// sends nothing and returns the first one's record.
	Key     string
	Channel Channel
	To      Address
	// ReplyTo is an e-mail's Reply-To, if any.
	ReplyTo Address
	// Subject, Text and HTML: an e-mail has a subject and a text, and may
	// have an HTML part; an SMS has a text only.
	Subject string
	Text    string
	HTML    string
	// Urgent SMS goes out at once, also outside the window.
	Urgent bool
	// SendAt schedules the notification ("24 hours before the booking");
	// zero means now.
	SendAt time.Time
	// Condition names an entry of Config.Conditions that must answer true
	// when the notification is due, or it is Cancelled.
	Condition string
	Template  string
	Lang      string
}

// MaxKey is the longest idempotency key, in bytes.
const MaxKey = 200

func (m *Message) check() error {
	switch {
	case m.Key == "" || len(m.Key) > MaxKey || !text.Valid(m.Key):
		return fmt.Errorf("%w: the idempotency key must be 1–%d bytes of UTF-8 without NUL", ErrInvalid, MaxKey)
	case m.To.IsZero():
		return fmt.Errorf("%w: no address", ErrInvalid)
	case m.Text == "":
		return fmt.Errorf("%w: no text", ErrInvalid)
	case m.Channel == Email && m.Subject == "":
		return fmt.Errorf("%w: an e-mail needs a subject", ErrInvalid)
	case m.Channel != Email && m.Channel != SMS:
		return fmt.Errorf("%w: unknown channel %q", ErrInvalid, m.Channel)
	}
	return nil
}

// Send stores m and sends it now, or, for a non-urgent SMS outside the
// window, holds it until the window opens (RunOnce sends it then). The
// address is checked and normalised first (ParsePhone, ParseEmail). A key used
// before sends nothing and returns the record of its first use. A failed send
// is not an error: it shows in the record's Status and Reason, and a
// temporary failure is tried again by RunOnce.
func (s *Sender) Send(ctx context.Context, m Message) (*Record, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if s.provider(m.Channel) == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoProvider, m.Channel)
	}
	if _, ok := s.cfg.Conditions[m.Condition]; m.Condition != "" && !ok {
		return nil, fmt.Errorf("%w: no condition %q in Config.Conditions", ErrInvalid, m.Condition)
	}
	// Text from a citizen may hold anything; only what no store can keep
	// (bad UTF-8, NUL) is replaced, so that it never stops a message.
	m.Subject, m.Text, m.HTML = text.Clean(m.Subject), text.Clean(m.Text), text.Clean(m.HTML)
	to, err := ParseAddress(m.Channel, m.To.Reveal())
	if err != nil {
		return nil, err
	}
	m.To = to
	if !m.ReplyTo.IsZero() {
		if m.ReplyTo, err = ParseEmail(m.ReplyTo.Reveal()); err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
	}
	now := s.cfg.Now()
	r := &Record{
		Key: m.Key, Channel: m.Channel, To: m.To, ReplyTo: m.ReplyTo,
		Subject: m.Subject, Text: m.Text, HTML: m.HTML, Template: m.Template, Lang: m.Lang,
		Status: Queued, Urgent: m.Urgent, Condition: m.Condition, NotBefore: s.earliest(m.Channel, m.Urgent, later(now, m.SendAt)),
		Created: now, Updated: now,
	}
	err = s.cfg.Store.Create(ctx, r)
	if errors.Is(err, ErrDuplicate) {
		return s.cfg.Store.Get(ctx, m.Key)
	}
	if err != nil {
		return nil, err
	}
	if r.NotBefore.After(now) {
		return r, nil
	}
	return s.attempt(ctx, r)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (s *Sender) provider(c Channel) any {
	switch {
	case c == Email && s.cfg.Email != nil:
		return s.cfg.Email
	case c == SMS && s.cfg.SMS != nil:
		return s.cfg.SMS
	}
	return nil
}

// earliest is when a message may go at the soonest from t.
func (s *Sender) earliest(c Channel, urgent bool, t time.Time) time.Time {
	if c == SMS && !urgent {
		return s.cfg.Window.Next(t)
	}
	return t
}

// RunOnce sends the due notifications: held SMS whose window has opened,
// temporary failures whose backoff has passed, and sends whose lease ran out
// (the process died during them).
func (s *Sender) RunOnce(ctx context.Context) error {
	_, err := s.SendDue(ctx)
	return err
}

// SendDue is RunOnce that also tells how many notifications it handed to a
// provider.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	due, err := s.cfg.Store.Due(ctx, s.cfg.Now(), 100)
	if err != nil {
		return 0, err
	}
	// Workers that read the same due list start at different places in it,
	// so that they claim different records rather than race for the first.
	if len(due) > 1 {
		off := rand.IntN(len(due))
		due = append(due[off:], due[:off]...)
	}
	n := 0
	for _, r := range due {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if s.provider(r.Channel) == nil {
			continue
		}
		before := r.Attempts
		got, err := s.attempt(ctx, r)
		if err != nil {
			return n, err
		}
		if got.Attempts > before {
			n++
		}
	}
	return n, nil
}

// Run calls RunOnce now and then every interval until ctx ends.
func (s *Sender) Run(ctx context.Context, every time.Duration) error {
	return job.Run(ctx, every, s.RunOnce, s.cfg.Logger, "notify: sender", ErrConfig)
}

// attempt claims r (Queued, FailedTemporary, or Sending with its lease run
// out), sends it and records the outcome. When another sender claims it
// first, it returns the record as that one left it.
func (s *Sender) attempt(ctx context.Context, r *Record) (*Record, error) {
	now := s.cfg.Now()
	if at := s.earliest(r.Channel, r.Urgent, now); at.After(now) {
		// The window closed while it waited for a retry: hold it again.
		if r.NotBefore.Equal(at) {
			return r, nil
		}
		r.NotBefore, r.Updated = at, now
		if r.Status == Sending {
			r.Status = FailedTemporary
		}
		if err := s.cfg.Store.Update(ctx, r); err != nil && !errors.Is(err, ErrConflict) {
			return nil, err
		}
		return s.cfg.Store.Get(ctx, r.Key)
	}
	if !CanMove(r.Status, Sending) {
		return r, nil
	}
	if r.Condition != "" && r.Status != Sending {
		if done, rec, err := s.ask(ctx, r); done {
			return rec, err
		}
	}
	r.Status, r.Attempts, r.NotBefore, r.Updated = Sending, r.Attempts+1, now.Add(s.cfg.Lease), now
	if err := s.cfg.Store.Update(ctx, r); errors.Is(err, ErrConflict) {
		return s.cfg.Store.Get(ctx, r.Key)
	} else if err != nil {
		return nil, err
	}

	rec, sendErr := s.send(ctx, r)
	return s.change(ctx, r.Key, func(cur *Record) bool {
		if cur.Status != Sending || cur.Attempts != r.Attempts {
			return false // a callback or another sender got there first
		}
		now := s.cfg.Now()
		cur.Updated = now
		switch {
		case sendErr == nil:
			cur.Status, cur.ProviderID, cur.Reason = rec.Status, rec.ProviderID, ""
			if cur.Status != Delivered {
				cur.Status = Sending // the provider reports later
			}
			cur.NotBefore = time.Time{}
		case errors.Is(sendErr, ErrPermanent) || cur.Attempts >= s.cfg.MaxAttempts:
			cur.Status, cur.Reason, cur.NotBefore = FailedPermanent, sendErr.Error(), time.Time{}
		default:
			cur.Status, cur.Reason = FailedTemporary, sendErr.Error()
			cur.NotBefore = s.earliest(cur.Channel, cur.Urgent, now.Add(s.cfg.Backoff(cur.Attempts)))
		}
		if sendErr != nil {
			s.cfg.Logger.WarnContext(ctx, "notify: send failed", "key", cur.Key, "channel", string(cur.Channel),
				"attempt", cur.Attempts, "status", string(cur.Status), "error", sendErr)
		}
		return true
	})
}

// Condition answers, when a notification is due, whether it is still needed.
// An error is taken as a temporary failure: the question is asked again
// after the backoff.
type Condition func(ctx context.Context, key string) (bool, error)

// ask puts r's condition; done is true when r is not to be sent now
// (cancelled, or the question failed).
func (s *Sender) ask(ctx context.Context, r *Record) (done bool, rec *Record, err error) {
	cond, ok := s.cfg.Conditions[r.Condition]
	var need bool
	if ok {
		need, err = cond(ctx, r.Key)
	} else {
		err = fmt.Errorf("no condition %q in Config.Conditions", r.Condition)
	}
	if err == nil && need {
		return false, nil, nil
	}
	rec, err = s.change(ctx, r.Key, func(cur *Record) bool {
		if cur.Status != Queued && cur.Status != FailedTemporary {
			return false
		}
		now := s.cfg.Now()
		cur.Updated = now
		if err != nil {
			cur.Status, cur.Reason = FailedTemporary, "condition: "+err.Error()
			cur.NotBefore = s.earliest(cur.Channel, cur.Urgent, now.Add(s.cfg.Backoff(max(cur.Attempts, 1))))
			return true
		}
		cur.Status, cur.Reason, cur.NotBefore = Cancelled, "condition "+cur.Condition+" no longer holds", time.Time{}
		return true
	})
	return true, rec, err
}

func (s *Sender) send(ctx context.Context, r *Record) (Receipt, error) {
	switch r.Channel {
	case Email:
		return s.cfg.Email.SendEmail(ctx, &OutgoingEmail{Key: r.Key, To: r.To, ReplyTo: r.ReplyTo, Subject: r.Subject, Text: r.Text, HTML: r.HTML})
	default:
		return s.cfg.SMS.SendSMS(ctx, &OutgoingSMS{Key: r.Key, To: r.To, Text: r.Text})
	}
}

// change applies f to the stored record and writes it, again on a
// concurrent write, until f declines or the write succeeds.
func (s *Sender) change(ctx context.Context, key string, f func(*Record) bool) (*Record, error) {
	for {
		cur, err := s.cfg.Store.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		if !f(cur) {
			return cur, nil
		}
		err = s.cfg.Store.Update(ctx, cur)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return cur, nil
	}
}

// Update is a provider's report about one notification: a callback, or an
// entry of a status feed.
type Update struct {
	// Key is the notification's idempotency key (Altinn's sendersReference,
	// GOV.UK Notify's reference).
	Key        string
	Status     Status
	ProviderID string
	// Reason is the provider's code for a failure, without personal data.
	Reason string
}

// Update folds a provider's report into the record. A report of the status
// the record is in already changes nothing; a move the state machine does not
// allow is a *TransitionError (matching ErrTransition), and the record is left
// as it was. An unknown key is ErrNotFound.
func (s *Sender) Update(ctx context.Context, u Update) (*Record, error) {
	var terr error
	rec, err := s.change(ctx, u.Key, func(cur *Record) bool {
		terr = nil
		if !CanMove(cur.Status, u.Status) {
			terr = &TransitionError{Key: u.Key, From: cur.Status, To: u.Status}
			return false
		}
		if cur.Status == u.Status {
			return false
		}
		now := s.cfg.Now()
		cur.Status, cur.Updated, cur.Reason = u.Status, now, u.Reason
		if u.Status != Queued && u.Status != FailedTemporary {
			cur.NotBefore = time.Time{}
		}
		if u.ProviderID != "" {
			cur.ProviderID = u.ProviderID
		}
		switch u.Status {
		case FailedTemporary:
			if cur.Attempts >= s.cfg.MaxAttempts {
				cur.Status, cur.NotBefore = FailedPermanent, time.Time{}
			} else {
				cur.NotBefore = s.earliest(cur.Channel, cur.Urgent, now.Add(s.cfg.Backoff(max(cur.Attempts, 1))))
			}
		case Queued:
			cur.NotBefore = s.earliest(cur.Channel, cur.Urgent, now)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return rec, terr
}

// Get returns the record of key, or ErrNotFound.
func (s *Sender) Get(ctx context.Context, key string) (*Record, error) {
	return s.cfg.Store.Get(ctx, key)
}
