// Package sak is the case workflow every municipal service needs: the states from
// received to decided and closed, who may act, events, deadlines, and the links
// from a case to its payment, bookings, letters and journal entries.
package sak
