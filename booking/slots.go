package booking

import (
	"cmp"
	"fmt"
	"slices"
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
		// A plain day wholly inside [from, to) needs no check per slot.
		inside := plain && !midnight.Before(from) && !midnight.Add(24*time.Hour).After(to)
		for _, span := range spans {
			if inside {
				closing := time.Duration(span.To) * time.Minute
				for c := span.From; c < span.To && time.Duration(c)*time.Minute+length <= closing; c += stepMin {
					start := midnight.Add(time.Duration(c) * time.Minute)
					out = append(out, Slot{Start: start, End: start.Add(length)})
				}
				continue
			}
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
	// Overlapping spans in the hours could repeat or disorder starts; the
	// usual strictly ascending list needs neither sorting nor deduping.
	if !strictlyAscending(out) {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
		out = dedupe(out)
	}
	return out, nil
}

func strictlyAscending(s []Slot) bool {
	for i := 1; i < len(s); i++ {
		if !s[i-1].Start.Before(s[i].Start) {
			return false
		}
	}
	return true
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
// reservations are swept once in time order, so the cost is linear in their
// number plus the overlaps. The sweep compares offsets from the first slot's
// start, read once per reservation and slot, in one contiguous array.
func (r *Resource) fillRemaining(slots []Slot, rs []*Reservation, at time.Time) []Slot {
	if len(slots) == 0 {
		return slots
	}
	baseSec, baseNsec := slots[0].Start.Unix(), slots[0].Start.Nanosecond()
	offset := func(t time.Time) time.Duration { // t - the first start, cheaper than t.Sub
		d := t.Unix() - baseSec
		if d > 1<<33 || d < -1<<33 { // centuries away: before or after every slot
			return time.Duration(max(min(d, 1), -1)) * (1 << 61)
		}
		return time.Duration(d*1e9 + int64(t.Nanosecond()-baseNsec))
	}
	type block struct {
		from, to, reach time.Duration // reach: from plus the longest block
		i               int           // in rs; no pointer, so the GC skips the array
	}
	active := make([]block, 0, len(rs))
	var longest time.Duration
	for i, x := range rs {
		if x.ActiveAt(at) {
			active = append(active, block{from: offset(x.BlockStart), to: offset(x.BlockEnd), i: i})
			longest = max(longest, x.BlockEnd.Sub(x.BlockStart))
		}
	}
	// Stores list by Start, so this is nearly always sorted already.
	byFrom := func(a, b block) int { return cmp.Compare(a.from, b.from) }
	if !slices.IsSortedFunc(active, byFrom) {
		slices.SortFunc(active, byFrom)
	}
	for k := range active {
		active[k].reach = active[k].from + longest
	}
	capacity := r.Seats()
	var buf []*Reservation
	lo, j := 0, 0 // slots come in time order, so the window's left edge only moves right
	for i := range slots {
		s := &slots[i]
		bs, be := offset(s.Start)-r.BufferBefore, offset(s.End)+r.BufferAfter // r.Block
		// A block that starts more than the longest block before this slot
		// has ended before it.
		for lo < len(active) && active[lo].reach < bs {
			lo++
		}
		used, n := 0, 0
		for k := lo; k < len(active) && active[k].from < be; k++ {
			if active[k].to > bs {
				if n == 0 {
					buf = buf[:0]
				}
				buf = append(buf, rs[active[k].i])
				used += rs[active[k].i].Seats
				n++
			}
		}
		if n > 1 { // not all of them need overlap each other
			bst, bet := r.Block(s.Start, s.End)
			used = PeakSeats(buf, bst, bet, at, "")
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
