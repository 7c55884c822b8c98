// Package booking books rooms, halls and appointments: resources with capacity and
// opening hours, Norwegian public holidays, availability that is correct across
// daylight-saving changes, holds, confirmations, cancellations, waitlists,
// recurring series and iCalendar output. Its promise is that no seat is ever
// booked twice, whatever the concurrency.
package booking
