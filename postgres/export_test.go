package postgres

import "io/fs"

// Migrations lists the embedded migration versions, in order.
func Migrations() []int {
	v, err := MigrationsFrom(migrationFS)
	if err != nil {
		panic(err)
	}
	return v
}

// MigrationsFrom lists the versions of the migrations in fsys, in order.
func MigrationsFrom(fsys fs.FS) ([]int, error) {
	ms, err := migrations(fsys)
	var v []int
	for _, m := range ms {
		v = append(v, m.version)
	}
	return v, err
}

// SakListQuery is the query of one page of cases, and its arguments.
var SakListQuery = listQuery

// AppendEvents is the outbox write the stores use inside a transaction.
var AppendEvents = appendEvents

// The queries of one slot of a booking resource, with their arguments
// ($1 resource, [$2, $3) the slot, $4 the time), and the confirmation of a
// hold ($1 id, $2 the time).
const (
	BookingVersionQuery     = versionQuery
	BookingExpireHoldsQuery = expireHoldsQuery
	BookingOverlappingQuery = overlappingQuery
	BookingInsertHoldQuery  = insertReservation
	BookingConfirmHeldQuery = confirmHeld
)

// BookingReservationsQuery is the query of BookingStore.Reservations, and its
// arguments.
var BookingReservationsQuery = reservationsQuery
