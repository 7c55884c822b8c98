package booking

import (
	"fmt"
	"sort"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// MaxRange is the longest range Slots and Availability accept, so that a
// request from outside cannot make the service list centuries of slots.
const MaxRange = 400 * 24 * time.Hour

// Slot is a bookable period with the seats still free in it.
type Slot struct {
	Start     time.Time
	End       time.Time
	Remaining int
}

// Slots returns every slot of the resource that starts in [from, to), free or
// not, in time order. Slot starts step through the opening hours by wall
// clock in the resource's zone, and a slot lasts SlotLength of real time:
//   - a wall-clock start that does not exist (02:30 on the spring DST day) is
//     skipped;
//   - a wall-clock start that exists twice (02:30 on the autumn DST day) gives
//     one slot, at the first of the two instants, so no slot is doubled;
//   - a slot must end by the closing instant, so the 23- and 25-hour days
//     hold as many slots as fit.
func (r *Resource) Slots(from, to time.Time) ([]Slot, error) {
	loc, err := r.Location()
	if err != nil {
		return nil, err
	}
	length, step := r.SlotLength(), r.SlotStep()
	if step < time.Minute || length < time.Minute {
		return nil, fmt.Errorf("%w: resource %s: slot and step must be at least a minute", ErrInvalid, r.ID)
	}
	if to.Sub(from) > MaxRange {
		return nil, fmt.Errorf("%w: a range of more than %d days", ErrInvalid, MaxRange/(24*time.Hour))
	}
	stepMin := Clock(step / time.Minute)
	perDay := 0 // the most slot starts any weekday has, to size out once
	for _, spans := range r.Hours {
		n := 0
		for _, sp := range spans {
			n += int(sp.To-sp.From) / int(stepMin)
		}
		perDay = max(perDay, n)
	}
	days := int(to.Sub(from)/(24*time.Hour)) + 2
	out := make([]Slot, 0, min(days*perDay, 1<<16))
	last := civil.DateOf(to.In(loc))
	for d := civil.DateOf(from.In(loc)); !last.Before(d); d = d.AddDays(1) {
		spans := r.HoursOn(d)
		if len(spans) == 0 {
			continue
		}
		// On a day without a clock change, wall clock c is midnight + c.
		midnight := d.Start(loc)
		_, off0 := midnight.Zone()
		_, off1 := d.AddDays(1).Start(loc).Add(-time.Nanosecond).Zone()
		plain := off0 == off1 && midnight.Hour() == 0
		for _, span := range spans {
			closing, _ := wallClock(d, span.To, loc)
			for c := span.From; c < span.To; c += stepMin {
				var start time.Time
				if plain {
					start = midnight.Add(time.Duration(c) * time.Minute)
				} else {
					var ok bool
					if start, ok = wallClock(d, c, loc); !ok {
						continue
					}
				}
				end := start.Add(length)
				if end.After(closing) {
					break
				}
				if start.Before(from) || !start.Before(to) {
					continue
				}
				out = append(out, Slot{Start: start, End: end})
			}
		}
	}
	// Overlapping spans in the hours could repeat or disorder starts.
	if !sort.SliceIsSorted(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) }) {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	}
	return dedupe(out), nil
}

func dedupe(s []Slot) []Slot {
	if len(s) < 2 {
		return s
	}
	j := 1
	for i := 1; i < len(s); i++ {
		if !s[i].Start.Equal(s[j-1].Start) {
			if i != j { // no needless copies: each one costs GC write barriers
				s[j] = s[i]
			}
			j++
		}
	}
	return s[:j]
}

// IsSlot reports whether start is the start of one of the resource's slots.
func (r *Resource) IsSlot(start time.Time) (Slot, bool) {
	slots, err := r.Slots(start, start.Add(time.Nanosecond))
	if err != nil || len(slots) == 0 || !slots[0].Start.Equal(start) {
		return Slot{}, false
	}
	return slots[0], true
}

// Block returns the conflict span of a slot: widened by the buffers.
func (r *Resource) Block(start, end time.Time) (time.Time, time.Time) {
	return start.Add(-r.BufferBefore), end.Add(r.BufferAfter)
}

// fillRemaining sets Remaining on each slot from the active reservations
// (held or confirmed at time at) and drops full slots. Both slots and
// reservations are scanned once in time order, so the cost is linear in
// their number plus the overlaps.
func (r *Resource) fillRemaining(slots []Slot, rs []*Reservation, at time.Time) []Slot {
	active := make([]*Reservation, 0, len(rs))
	var longest time.Duration
	for _, x := range rs {
		if x.ActiveAt(at) {
			active = append(active, x)
			longest = max(longest, x.BlockEnd.Sub(x.BlockStart))
		}
	}
	sort.Slice(active, func(i, j int) bool { return active[i].BlockStart.Before(active[j].BlockStart) })
	capacity := r.Seats()
	buffered := r.BufferBefore != 0 || r.BufferAfter != 0
	var buf []*Reservation
	lo, j := 0, 0 // slots come in time order, so the window's left edge only moves right
	for i := range slots {
		s := &slots[i]
		bs, be := s.Start, s.End
		if buffered {
			bs, be = r.Block(s.Start, s.End)
		}
		edge := bs.Add(-longest)
		for lo < len(active) && active[lo].BlockStart.Before(edge) {
			lo++
		}
		buf = buf[:0]
		for k := lo; k < len(active) && active[k].BlockStart.Before(be); k++ {
			if active[k].BlockEnd.After(bs) {
				buf = append(buf, active[k])
			}
		}
		used := 0
		switch len(buf) {
		case 0:
		case 1:
			used = buf[0].Seats
		default:
			used = PeakSeats(buf, bs, be, at, "")
		}
		if rem := capacity - used; rem > 0 {
			s.Remaining = rem
			if i != j {
				slots[j] = *s
			}
			j++
		}
	}
	return slots[:j]
}
