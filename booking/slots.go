package booking

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
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
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	base, spans, err := r.slotSpans(sc.spans[:0], from, to)
	sc.spans = spans
	if err != nil {
		return nil, err
	}
	out := make([]Slot, len(spans))
	for i, s := range spans {
		out[i].Start, out[i].End = base.Add(s.start), base.Add(s.end) // as in appendFree
	}
	return out, nil
}

// slotSpan is a slot as offsets from a base instant. Slots are made, sorted
// and swept in this form: plain integers, which the garbage collector never
// scans and which need no write barrier, and a third of a Slot's size. Only
// the slots handed out become Slots.
type slotSpan struct{ start, end time.Duration }

// scratch is the working memory of Slots and Availability, kept between
// calls in scratchPool: a 90-day answer would otherwise allocate about
// 130 kB of it per call.
type scratch struct {
	spans  []slotSpan
	active []block
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// slotSpans appends Slots' answer to out, as offsets from base.
func (r *Resource) slotSpans(out []slotSpan, from, to time.Time) (base time.Time, _ []slotSpan, _ error) {
	loc, err := r.Location()
	if err != nil {
		return base, out, err
	}
	length, step := r.SlotLength(), r.SlotStep()
	if step < time.Minute || length < time.Minute {
		return base, out, fmt.Errorf("%w: resource %s: slot and step must be at least a minute", ErrInvalid, r.ID)
	}
	if to.Sub(from) > MaxRange {
		return base, out, fmt.Errorf("%w: a range of more than %d days", ErrInvalid, MaxRange/(24*time.Hour))
	}
	stepMin := Clock(step / time.Minute)
	first, last := civil.DateOf(from.In(loc)), civil.DateOf(to.In(loc))
	base = first.Start(loc)
	// Within MaxRange of base, so no offset saturates.
	g := spanGen{loc: loc, length: length, stepMin: stepMin, from: from.Sub(base), to: to.Sub(base)}
	for d := first; !last.Before(d); d = d.AddDays(1) {
		spans := r.HoursOn(d)
		if len(spans) == 0 {
			continue
		}
		// On a day without a clock change, wall clock c is midnight + c.
		midnight := d.Start(loc)
		_, off0 := midnight.Zone()
		_, off1 := d.AddDays(1).Start(loc).Add(-time.Nanosecond).Zone()
		plain := off0 == off1 && midnight.Hour() == 0
		day := midnight.Sub(base)
		// A plain day wholly inside [from, to) needs no check per slot.
		inside := plain && day >= g.from && day+24*time.Hour <= g.to
		for _, span := range spans {
			if inside {
				closing := day + time.Duration(span.To)*time.Minute
				for start := day + time.Duration(span.From)*time.Minute; start+length <= closing; start += g.step() {
					out = append(out, slotSpan{start, start + length})
				}
				continue
			}
			out = g.span(out, d, day, plain, span, base)
		}
	}
	// Overlapping spans in the hours could repeat or disorder starts; the
	// usual strictly ascending list needs neither sorting nor deduping.
	if !strictlyAscending(out) {
		slices.SortStableFunc(out, func(a, b slotSpan) int { return cmp.Compare(a.start, b.start) })
		out = dedupe(out)
	}
	return base, out, nil
}

// spanGen is what slotSpans' slow path needs to know of the call.
type spanGen struct {
	loc      *time.Location
	length   time.Duration
	stepMin  Clock
	from, to time.Duration // the range, as offsets from base
}

func (g *spanGen) step() time.Duration { return time.Duration(g.stepMin) * time.Minute }

// span appends the slots of span on day d (midnight at offset day from
// base) that start in the range, checking each start: for the first and
// last day of the range, and days with a clock change.
func (g *spanGen) span(out []slotSpan, d civil.Date, day time.Duration, plain bool, span Span, base time.Time) []slotSpan {
	closingAt, _ := wallClock(d, span.To, g.loc)
	closing := closingAt.Sub(base)
	for c := span.From; c < span.To; c += g.stepMin {
		start := day + time.Duration(c)*time.Minute
		if !plain {
			t, ok := wallClock(d, c, g.loc)
			if !ok {
				continue
			}
			start = t.Sub(base)
		}
		end := start + g.length
		if end > closing {
			break
		}
		if start < g.from || start >= g.to {
			continue
		}
		out = append(out, slotSpan{start, end})
	}
	return out
}

func strictlyAscending(s []slotSpan) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1].start >= s[i].start {
			return false
		}
	}
	return true
}

// dedupe keeps the first of each run of equal starts.
func dedupe(s []slotSpan) []slotSpan {
	return slices.CompactFunc(s, func(a, b slotSpan) bool { return a.start == b.start })
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

// block is a reservation's block in appendFree's sweep.
type block struct {
	from, to, reach time.Duration // as offsets from base; reach: from plus the longest block
	i               int           // in rs; no pointer, so the GC skips the array
}

// appendFree appends to dst the slots that have seats free at time at,
// with Remaining set, from the active reservations (held or confirmed at at). The slots are
// sc.spans, offsets from base.
// Both slots and reservations are swept once in time order, so the cost is
// linear in their number plus the overlaps. The sweep compares offsets from
// base, read once per reservation, in one contiguous array.
func (r *Resource) appendFree(dst []Slot, sc *scratch, base time.Time, rs []*Reservation, at time.Time) []Slot {
	slots := sc.spans
	if len(slots) == 0 {
		return dst
	}
	baseSec, baseNsec := base.Unix(), base.Nanosecond()
	offset := func(t time.Time) time.Duration { // t - base, cheaper than t.Sub
		d := t.Unix() - baseSec
		if d > 1<<33 || d < -1<<33 { // centuries away: before or after every slot
			return time.Duration(max(min(d, 1), -1)) * (1 << 61)
		}
		return time.Duration(d*1e9 + int64(t.Nanosecond()-baseNsec))
	}
	active := sc.active[:0]
	defer func() { sc.active = active }()
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
	dst = slices.Grow(dst, len(slots))
	var buf []*Reservation
	lo := 0 // slots come in time order, so the window's left edge only moves right
	for _, s := range slots {
		bs, be := s.start-r.BufferBefore, s.end+r.BufferAfter // r.Block
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
			used = PeakSeats(buf, base.Add(bs), base.Add(be), at, "")
		}
		if rem := capacity - used; rem > 0 {
			// Field by field: a whole Slot stored at once is copied with a
			// bulk write barrier while the GC marks, several times dearer.
			dst = dst[:len(dst)+1]
			out := &dst[len(dst)-1]
			out.Start, out.End, out.Remaining = base.Add(s.start), base.Add(s.end), rem
		}
	}
	return dst
}
