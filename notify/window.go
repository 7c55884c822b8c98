package notify

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// Window is the time of day SMS may go out. Its zero value is 09:00–17:00 in
// Europe/Oslo, every day: Altinn's send window (SmsSendWindowStartHour 9,
// SmsSendWindowEndHour 17), so a citizen is not woken by a reminder.
type Window struct {
	// Start and End are whole hours, 0–24, Start < End; both 0 mean 9 and 17.
	Start, End int
	// Location is the clock the hours are read on; nil means civil.Oslo.
	Location *time.Location
}

func (w Window) norm() (Window, error) {
	if w.Start == 0 && w.End == 0 {
		w.Start, w.End = 9, 17
	}
	if w.Location == nil {
		w.Location = civil.Oslo
	}
	if w.Start < 0 || w.End > 24 || w.Start >= w.End {
		return w, fmt.Errorf("%w: window %d–%d is not 0 <= start < end <= 24", ErrConfig, w.Start, w.End)
	}
	return w, nil
}

// Next returns t when t is inside the window, else when the window next opens.
// A Window that norm refuses is taken as always open.
func (w Window) Next(t time.Time) time.Time {
	w, err := w.norm()
	if err != nil {
		return t
	}
	local := t.In(w.Location)
	y, m, d := local.Date()
	open := time.Date(y, m, d, w.Start, 0, 0, 0, w.Location)
	closing := time.Date(y, m, d, w.End, 0, 0, 0, w.Location)
	switch {
	case t.Before(open):
		return open
	case t.Before(closing):
		return t
	}
	return time.Date(y, m, d+1, w.Start, 0, 0, 0, w.Location)
}
