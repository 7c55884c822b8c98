package site

import "net/http"

// OwnICS serves the reservation {id} of the request's path as an
// iCalendar file (booking.ics) to the party that owns it (Party: the
// organisation the citizen acts for, or the citizen): someone else's, or
// one that does not exist, is the 404 page (booking's OwnReservationICS).
// Mount it for citizens:
//
//	s.Mux.Handle("GET /booking/{id}/ics", s.ForCitizens(s.OwnICS))
func (s *Service) OwnICS(w http.ResponseWriter, r *http.Request) {
	owner, _, err := s.Party(r)
	if err == nil {
		var b []byte
		if b, err = s.Bookings.OwnReservationICS(r.Context(), owner, r.PathValue("id")); err == nil {
			ServeICS(w, "booking.ics", b)
			return
		}
	}
	s.Fail(w, r, err)
}
