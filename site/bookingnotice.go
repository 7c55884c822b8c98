package site

import (
	"cmp"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/postgres"
)

// BookingNotices tells the citizen who made a booking (ServiceConfig.Bookings)
// what happens to it, by e-mail or SMS on the channel they chose on Min
// side, within KRR's rules (Service.NotifyCitizen: a reserved person gets
// nothing):
//
//   - a confirmation when it is confirmed: after the payment, wherever that
//     is seen (the payer's return, the webhook, the reconciliation job), or
//     at once when it is free (booking.Service.Book). A series gets one, for
//     the occurrences confirmed together;
//   - a reminder Before each occurrence begins, queued with its SendAt and
//     the condition BookingReminderCondition, so that a booking cancelled or
//     moved meanwhile sends none. A booking confirmed later than that gets
//     none: its confirmation is recent;
//   - a notice when a confirmed booking is cancelled, by the citizen or by
//     anyone else (a hall admin): one for the occurrences cancelled together.
//     A hold that is released or runs out sends nothing.
//
// The citizen logged in when the booking is held is recorded in Recipients
// (for a series, once); the notices go to them even where nobody is logged
// in. A booking held without a logged-in citizen gets no notices.
//
// The templates are the service's (notify.Config.Templates), else the
// site's own (BookingTemplates), each as name+".email" and name+".sms":
// BookingConfirmed, BookingSeriesConfirmed, BookingReminder, BookingCancelled
// and BookingSeriesCancelled. Their placeholders: ((sted)) the booking's
// title, ((tid)) its first start and ((slutt)) its end, in Oslo time in the
// notice's language (i18n.Lang); ((antall)) how many occurrences,
// ((tjeneste)) the service's name (the message "service") and ((lenke)) Min
// side's URL (ChoiceBack). A confirmation and a cancellation by SMS are
// urgent (the booking may be in the morning); a reminder waits for the
// daytime window.
type BookingNotices struct {
	// Before is how long before a booking begins the reminder goes; 0
	// means 24 hours.
	Before time.Duration
	// Recipients keeps who is told about each booking; nil means memory,
	// or PostgreSQL with a database.
	Recipients notify.Recipients
}

// The templates of BookingNotices.
const (
	BookingConfirmed       = "booking.confirmed"
	BookingSeriesConfirmed = "booking.series.confirmed"
	BookingReminder        = "booking.reminder"
	BookingCancelled       = "booking.cancelled"
	BookingSeriesCancelled = "booking.series.cancelled"
)

// BookingReminderCondition is the notify.Condition of BookingNotices'
// reminders: the booking is still confirmed and starts when it did.
const BookingReminderCondition = "booking-confirmed"

//go:embed bookingnotices.json
var bookingTemplatesJSON []byte

// BookingTemplates are the site's templates for BookingNotices, in nb, nn
// and en. A service with templates of its own copies what it needs of them.
func BookingTemplates() (*notify.Templates, error) {
	return notify.ParseTemplates(bookingTemplatesJSON)
}

// prepareBookingNotices completes c for its BookingNotices, before Notify is
// made: a Notify config, the site's templates when the service has none,
// and the reminders' condition.
func (s *Service) prepareBookingNotices(c *ServiceConfig) (err error) {
	if c.Bookings == nil {
		return fmt.Errorf("%w: BookingNotices without Bookings", ErrConfig)
	}
	if c.Notify.Templates == nil {
		if c.Notify.Templates, err = BookingTemplates(); err != nil {
			return err
		}
	}
	conds := maps.Clone(c.Notify.Conditions)
	if conds == nil {
		conds = map[string]notify.Condition{}
	}
	conds[BookingReminderCondition] = s.stillBooked
	c.Notify.Conditions = conds
	return nil
}

// bookingNotices wires b into the Bookings, once Notify is made.
func (s *Service) bookingNotices(b *BookingNotices) {
	if b.Recipients == nil {
		b.Recipients = &notify.MemRecipients{}
		if s.DB != nil {
			b.Recipients = postgres.NewNotifyRecipients(s.DB)
		}
	}
	b.Before = cmp.Or(b.Before, 24*time.Hour)
	s.bookingNotice = b
	next := s.Bookings.OnChange
	s.Bookings.OnChange = func(ctx context.Context, c booking.Change) {
		if next != nil {
			next(ctx, c)
		}
		s.bookingChanged(ctx, c)
	}
}

// bookingSubject is what Recipients keeps a booking's person under: its
// series, or itself.
func bookingSubject(r *booking.Reservation) string {
	if r.SeriesID != "" {
		return "booking/series/" + r.SeriesID
	}
	return "booking/" + r.ID
}

// bookingChanged is the Bookings' OnChange: a new hold keeps the logged-in
// citizen as the booking's recipient; a confirmation and a cancellation of
// a confirmed booking tell them.
func (s *Service) bookingChanged(ctx context.Context, c booking.Change) {
	rs := slices.SortedFunc(slices.Values(c.Reservations), func(a, b *booking.Reservation) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID))
	})
	switch {
	case c.From == "" && c.To == booking.Held:
		who, ok := auth.CitizenFrom(ctx)
		if !ok {
			return
		}
		if _, err := s.bookingNotice.Recipients.AddRecipient(ctx, bookingSubject(rs[0]), who.PID); err != nil {
			s.Config.Logger.WarnContext(ctx, "booking notices: recipient not kept", "reservation", rs[0].ID, "error", err)
		}
	case c.To == booking.Confirmed:
		s.sendBookingNotice(ctx, rs, bookingSubject(rs[0])+"/confirmed", oneOrMany(len(rs), BookingConfirmed, BookingSeriesConfirmed), time.Time{})
		now := s.Config.Now()
		for _, r := range rs {
			if at := r.Start.Add(-s.bookingNotice.Before); at.After(now) {
				s.sendBookingNotice(ctx, []*booking.Reservation{r}, reminderKey(r), BookingReminder, at)
			}
		}
	case c.From == booking.Confirmed && c.To == booking.Cancelled:
		s.sendBookingNotice(ctx, rs, "booking/"+rs[0].ID+"/cancelled", oneOrMany(len(rs), BookingCancelled, BookingSeriesCancelled), time.Time{})
	}
}

// oneOrMany is the template one for one reservation, else many.
func oneOrMany(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// sendBookingNotice sends template about rs (by start) to the person kept
// for them, at sendAt (zero: now; a reminder then has its condition). What
// fails is logged by NotifyCitizen; a refusal by KRR's rules is the
// person's choice and logged at debug level.
func (s *Service) sendBookingNotice(ctx context.Context, rs []*booking.Reservation, key, template string, sendAt time.Time) {
	pid, ok, err := s.bookingNotice.Recipients.Recipient(ctx, bookingSubject(rs[0]))
	if err != nil {
		s.Config.Logger.WarnContext(ctx, "booking notices: not sent", "key", key, "error", err)
		return
	}
	if !ok { // held with nobody logged in, or before BookingNotices
		s.Config.Logger.InfoContext(ctx, "booking notices: nobody to tell", "key", key)
		return
	}
	first, title := rs[0], rs[0].Title
	if title == "" {
		title = first.ResourceID
	}
	n := notify.Notice{Key: key, Template: template, SendAt: sendAt, Local: func(lang string) map[string]string {
		l := i18n.Lang(lang)
		return map[string]string{"sted": text.Truncate(title, 60), "tid": l.Time(first.Start), "slutt": l.Clock(first.End),
			"antall":   strconv.Itoa(len(rs)),
			"tjeneste": s.Messages.T(l, "service"), "lenke": s.Config.PublicURL + s.choiceBack}
	}}
	if !sendAt.IsZero() {
		n.Condition = BookingReminderCondition
	}
	res, err := s.NotifyCitizen(ctx, pid, n)
	if err == nil && res.Refused != "" {
		s.Config.Logger.DebugContext(ctx, "booking notices: not sent by KRR's rules", "key", key, "refused", string(res.Refused))
	}
}

// reminderKey names r's reminder with its start, so that a booking moved
// since is not reminded of at the old time.
func reminderKey(r *booking.Reservation) string {
	return "booking/" + r.ID + "/reminder/" + strconv.FormatInt(r.Start.Unix(), 10)
}

// stillBooked is BookingReminderCondition: the reminder's booking is
// confirmed, starts when the key says, and has not begun (a reminder held
// past it, by the SMS window or retries, is not sent).
func (s *Service) stillBooked(ctx context.Context, key string) (bool, error) {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[0] != "booking" || parts[2] != "reminder" {
		return false, nil
	}
	start, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return false, nil
	}
	r, err := s.Bookings.Reservation(ctx, parts[1])
	if errors.Is(err, booking.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return r.State == booking.Confirmed && r.Start.Unix() == start && r.Start.After(s.Config.Now()), nil
}
