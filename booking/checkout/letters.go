package checkout

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/svarut"
)

// Letters sends each bill's confirmation letter through a SvarUT outbox,
// once some of the bill is confirmed, wherever that is seen.
//
// When the payer starts a payment, Prepare stores the letter held back:
// the payer is logged in, so the recipient is known. Settle, the Checkout's
// AfterSettle, lets it go once the payment confirms the reservations, on
// the payer's return, from the webhook or in the reconciliation job, which
// know nothing of the recipient; once nothing is held or confirmed any more
// it withdraws the letter unsent, with the recipient's data. Send makes the
// letter where the confirmation happens in the payer's own request (an
// invoice), and catches up on a page view with one that did not go. A
// letter withdrawn by a caller that raced the confirmation goes as a copy
// (svarut.Outbox.Send).
type Letters struct {
	Outbox *svarut.Outbox
	// ID names a bill's letter in the outbox; nil means
	// "confirmation-KIND-ID".
	ID func(b *Bill) string
	// Grace is how long after the bill's last hold ends a prepared letter
	// is kept before the outbox withdraws it; 0 means 15 minutes.
	Grace time.Duration
	// SendAtOnce runs the outbox once beside the caller when a letter is
	// set going, rather than leaving it to the outbox's next pass.
	SendAtOnce bool
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives what fails and is tried again later; nil discards.
	Logger *slog.Logger
}

// Shipment makes the letter that confirms the bill's reservations ids.
type Shipment func(ctx context.Context, ids []string) (*svarut.Shipment, error)

func (l *Letters) log() *slog.Logger { return defaults.Logger(l.Logger) }

// LetterID is the outbox id of the bill's letter.
func (l *Letters) LetterID(b *Bill) string {
	if l.ID != nil {
		return l.ID(b)
	}
	return "confirmation-" + b.Kind() + "-" + b.ID
}

// Prepare holds the letter for the bill's held reservations in the outbox,
// to be withdrawn Grace after the last hold ends unless released. Preparing
// it again, or with nothing held, does nothing.
func (l *Letters) Prepare(ctx context.Context, b *Bill, shipment Shipment) error {
	var ids []string
	var until time.Time
	for _, r := range b.Held(defaults.Now(l.Now)) {
		ids = append(ids, r.ID)
		if r.HoldExpires.After(until) {
			until = r.HoldExpires
		}
	}
	if len(ids) == 0 {
		return nil
	}
	s, err := shipment(ctx, ids)
	if err != nil {
		return err
	}
	_, err = l.Outbox.Prepare(ctx, l.LetterID(b), s, until.Add(cmp.Or(l.Grace, 15*time.Minute)))
	if errors.Is(err, svarut.ErrConflict) {
		return nil
	}
	return err
}

// Settle is a Checkout's AfterSettle: once nothing is held, the bill's
// prepared letter goes if some of it is confirmed, and is withdrawn if
// nothing is. What fails is logged; the next settle tries again.
func (l *Letters) Settle(ctx context.Context, b *Bill) {
	if len(b.Held(defaults.Now(l.Now))) > 0 {
		return // still paying
	}
	if len(b.Confirmed()) > 0 {
		l.send(ctx, b, nil)
		return
	}
	if _, err := l.Outbox.Withdraw(ctx, l.LetterID(b)); err != nil && !errors.Is(err, svarut.ErrNotFound) && !errors.Is(err, svarut.ErrNotHeld) {
		l.log().WarnContext(ctx, "checkout: letter withdraw", "bill", b.ID, "error", err)
	}
}

// Send sends the bill's letter once some of it is confirmed: a prepared
// one is released, a missing one made now for the confirmed reservations.
// What fails is logged; the next Send tries again.
func (l *Letters) Send(ctx context.Context, b *Bill, shipment Shipment) {
	if ids := b.Confirmed(); len(ids) > 0 {
		l.send(ctx, b, func(ctx context.Context) (*svarut.Shipment, error) { return shipment(ctx, ids) })
	}
}

func (l *Letters) send(ctx context.Context, b *Bill, build func(context.Context) (*svarut.Shipment, error)) {
	e, err := l.Outbox.Send(ctx, l.LetterID(b), build)
	switch {
	case errors.Is(err, svarut.ErrNotFound):
		l.log().InfoContext(ctx, "checkout: no letter prepared: it goes on the payer's next visit", "bill", b.ID)
	case err != nil:
		l.log().WarnContext(ctx, "checkout: letter", "bill", b.ID, "error", err)
	case l.SendAtOnce && e.State == svarut.EntryPending && !e.Held:
		go func() {
			if err := l.Outbox.RunOnce(context.WithoutCancel(ctx)); err != nil {
				l.log().Warn("checkout: letter: svarut outbox", "error", err)
			}
		}()
	}
}

// State returns the outbox entry that stands for the bill's letter
// (svarut.Outbox.Current); svarut.ErrNotFound if there is none.
func (l *Letters) State(ctx context.Context, b *Bill) (*svarut.Entry, error) {
	return l.Outbox.Current(ctx, l.LetterID(b))
}

// ErrDocumentRef means a document reference is not a DocumentRef.
var ErrDocumentRef = errors.New("checkout: not a bill's document reference")

// DocumentRef names the letter that confirms the bill's reservations ids,
// for svarut.Document.Ref: "KIND:ID:ID1,ID2". The outbox renders the letter
// from it again for each attempt (Checkout.Documents).
func DocumentRef(b *Bill, ids []string) string {
	return b.Kind() + ":" + b.ID + ":" + strings.Join(ids, ",")
}

// ParseDocumentRef reads a DocumentRef: the bill it names, without its
// reservations (Checkout.Reload reads them), and the ids.
func ParseDocumentRef(ref string) (*Bill, []string, error) {
	kind, rest, ok1 := strings.Cut(ref, ":")
	id, list, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || (kind != KindBooking && kind != KindSeries) || id == "" || list == "" {
		return nil, nil, ErrDocumentRef // the ref is not in the error: ids may name people
	}
	ids := strings.Split(list, ",")
	if slices.Contains(ids, "") {
		return nil, nil, ErrDocumentRef
	}
	return &Bill{ID: id, Series: kind == KindSeries}, ids, nil
}

// Documents is the outbox's svarut.DocumentSource for DocumentRefs: render
// gets the bill, read afresh, and the ids its letter confirms. Merge it
// into a RenderSource of other schemes with maps.Copy.
func (c *Checkout) Documents(render func(ctx context.Context, b *Bill, ids []string) ([]byte, error)) svarut.RenderSource {
	open := func(ctx context.Context, ref string) ([]byte, error) {
		b, ids, err := ParseDocumentRef(ref)
		if err != nil {
			return nil, err
		}
		if err := c.Reload(ctx, b); err != nil {
			return nil, err
		}
		return render(ctx, b, ids)
	}
	return svarut.RenderSource{
		KindBooking: func(ctx context.Context, rest string) ([]byte, error) { return open(ctx, KindBooking+":"+rest) },
		KindSeries:  func(ctx context.Context, rest string) ([]byte, error) { return open(ctx, KindSeries+":"+rest) },
	}
}

// Confirms returns the ids the bill's letter confirms: those its letter in
// the outbox names, else the bill's confirmed reservations (the letter that
// would go now).
func (l *Letters) Confirms(ctx context.Context, b *Bill) []string {
	e, err := l.Outbox.Current(ctx, l.LetterID(b))
	if err == nil {
		for _, d := range e.Shipment.Documents {
			if _, ids, err := ParseDocumentRef(d.Ref); err == nil {
				return ids
			}
		}
	}
	return b.Confirmed()
}
